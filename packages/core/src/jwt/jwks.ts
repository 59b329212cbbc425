import type { JWK } from 'jose';
import type { SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { BoundedMap } from '../stores/bounded-map.js';
import type { JwtAlgorithm } from './algorithms.js';
import type { JwtCryptoBackend } from './crypto-types.js';
import { JWT_ERRORS } from './errors.js';
import { fetchJsonObject, isSafeKeyUrl, KeyFetchError, type KeyFetchOptions } from './fetch-json.js';
import { type BoundKey, importKeySet, type KeySet } from './keyset.js';

/** Caching policy of a remote JWKS. */
export interface JwksOptions extends KeyFetchOptions {
  /** Keys are refreshed (in the background) after this many ms. Default 3 600 000 (1 h). */
  cacheMaxAgeMs?: number;
  /** At most one fetch per this many ms, whatever the tokens say (a random-kid flood included). Default 30 000. */
  cooldownMs?: number;
  /** While the endpoint fails, keep using the last good keys for this long. Default 86 400 000 (24 h). */
  maxStaleMs?: number;
  /** At most this many keys are imported from one response. Default 64. */
  maxKeys?: number;
}

/** Where a remote set finds its JWKS URL: fixed, or from OIDC discovery. */
export type JwksLocation = URL | (() => Promise<URL>);

/** Something that finds the key for a token header. */
export interface KeySource {
  /** Synchronous when the answer is at hand (static keys once imported), a promise otherwise. */
  get(
    kid: string | undefined,
    alg: string,
  ): BoundKey | [SecurityError, string] | Promise<BoundKey | [SecurityError, string]>;
  /**
   * True while `key` (a result of `get`) is still one of the source's usable keys: false once a refresh no
   * longer publishes it or the keys are past their stale limit. Synchronous, for the verified-token cache.
   */
  holds(key: BoundKey): boolean;
}

/**
 * A JWKS fetched over HTTP, with what jose's remote set lacks: keys bound to one algorithm each, a size
 * cap, redirects refused, one refresh in flight and at most one per cooldown (a flood of random `kid`s
 * costs the IdP at most one request per cooldown), a negative cache for unknown `kid`s, stale-while-
 * revalidate and stale-if-error (a JWKS endpoint that is down does not fail tokens whose key we know).
 *
 * @example
 * const source = createRemoteKeySet(new URL('https://id.example.com/jwks'), ['RS256'], {}, backend);
 * const key = await source.get(header.kid, header.alg);
 */
export function createRemoteKeySet(
  location: JwksLocation,
  algorithms: readonly JwtAlgorithm[],
  options: JwksOptions,
  backend: JwtCryptoBackend,
  onEvent?: OnEvent,
  now: () => number = Date.now,
): KeySource {
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 3_600_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const maxStaleMs = options.maxStaleMs ?? 86_400_000;
  const maxKeys = options.maxKeys ?? 64;
  const negative = new BoundedMap<string, true>(1024, now, true);
  let current: { keys: KeySet; fetchedAt: number } | undefined;
  let inflight: Promise<void> | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let lastError = 'keys not loaded yet';

  async function load(): Promise<KeySet> {
    const url = typeof location === 'function' ? await location() : location;
    if (!isSafeKeyUrl(url)) throw new KeyFetchError(`JWKS URL ${url.origin} is not https`);
    const doc = await fetchJsonObject(url, options);
    const keys = doc.keys;
    if (!Array.isArray(keys)) throw new KeyFetchError('JWKS has no "keys" array');
    if (keys.length > maxKeys) throw new KeyFetchError(`JWKS has ${keys.length} keys, more than ${maxKeys}`);
    const set = await importKeySet(
      keys as JWK[],
      algorithms,
      backend,
      (i, reason) =>
        emit(onEvent, {
          type: 'jwt.jwks_key_skipped',
          detail: `keys[${i}] ${reason}`,
          data: { url: url.href },
        }),
      current?.keys,
    );
    if (set.size === 0) throw new KeyFetchError('JWKS has no key usable with the allowed algorithms');
    return set;
  }

  function refresh(): Promise<void> {
    if (inflight !== undefined) return inflight;
    lastAttemptAt = now();
    inflight = load().then(
      (keys) => {
        current = { keys, fetchedAt: now() };
        negative.clear();
        inflight = undefined;
        emit(onEvent, { type: 'jwt.jwks_refreshed', data: { keys: keys.size } });
      },
      (err: unknown) => {
        inflight = undefined;
        lastError = err instanceof KeyFetchError ? err.message : `key import failed: ${String(err)}`;
        emit(onEvent, { type: 'jwt.jwks_failed', detail: lastError });
      },
    );
    return inflight;
  }

  const coolingDown = () => now() - lastAttemptAt < cooldownMs;
  const expired = () => current === undefined || now() - current.fetchedAt > maxStaleMs + cacheMaxAgeMs;
  /** Stale: answer from the keys we have and refresh in the background. */
  const revalidate = () => {
    if (now() - current!.fetchedAt >= cacheMaxAgeMs && inflight === undefined && !coolingDown())
      void refresh();
  };

  function lookup(kid: string | undefined, alg: string): BoundKey | [SecurityError, string] | undefined {
    const found = current!.keys.find(kid, alg);
    if (typeof found !== 'string') return found;
    if (found === 'alg-mismatch')
      return [JWT_ERRORS.algNotAllowed, `key ${kid} is bound to another algorithm than ${alg}`];
    if (found === 'ambiguous')
      return [JWT_ERRORS.keyNotFound, `several keys fit alg ${alg}; the token must name a kid`];
    return undefined;
  }

  return {
    holds(key) {
      if (expired()) return false;
      // A cached verification counts as a use of the keys: it must not keep them from being refreshed,
      // or a withdrawn key would never be noticed while its tokens are served from the cache.
      revalidate();
      return current!.keys.has(key);
    },
    async get(kid, alg) {
      if (expired()) {
        if (inflight !== undefined) await inflight;
        else if (!coolingDown()) await refresh();
        if (expired()) return [JWT_ERRORS.keysUnavailable, `JWKS unavailable: ${lastError}`];
      } else {
        revalidate();
      }
      const hit = lookup(kid, alg);
      if (hit !== undefined) return hit;
      // An unknown kid first means "maybe rotated": refresh (within the cooldown) before falling back to
      // the set's one unnamed key for this alg, so a move to kid'ed keys is picked up at once.
      const notFound = (): BoundKey | [SecurityError, string] =>
        current!.keys.unnamedFor(alg) ?? [JWT_ERRORS.keyNotFound, 'no key with this kid in the JWKS'];
      if (kid !== undefined && negative.get(kid) === true) return notFound();
      if (inflight !== undefined) await inflight;
      else if (coolingDown()) return notFound();
      else await refresh();
      const retry = lookup(kid, alg);
      if (retry !== undefined) return retry;
      if (kid !== undefined) negative.set(kid, true, now() + cooldownMs);
      return notFound();
    },
  };
}
