import type { JWK } from 'jose';
import type { SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { isCloudflareWorkers } from '../http/runtime.js';
import { timedOperation } from '../observe/telemetry.js';
import { BoundedMap } from '../stores/bounded-map.js';
import type { JwtAlgorithm } from './algorithms.js';
import type { JwtCryptoBackend } from './crypto-types.js';
import { JWT_ERRORS } from './errors.js';
import {
  allowsHttp,
  fetchJsonObject,
  isSafeKeyUrl,
  KeyFetchError,
  type KeyFetchOptions,
} from './fetch-json.js';
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
   * longer publishes it or the keys are past their stale limit. Synchronous, for the verified-token cache;
   * `now` is the caller's clock reading (epoch ms, from the same clock as the source's), so a cache hit reads
   * the clock once.
   */
  holds(key: BoundKey, now: number): boolean;
  /**
   * Every key `get` returns stays usable for as long as the source lives (configured keys and secrets): a
   * cached verification is not checked against it again.
   */
  readonly fixed?: true;
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
  let inflightSince = 0;
  // A fetch outlives its timeout only where the runtime froze or dropped it: Workers end every subrequest
  // still pending when the request that started it has answered (it then never settles), and serverless
  // node platforms freeze between invocations. Past this a refresh counts as lost and another may start,
  // and nobody waits on one longer: a stuck promise must never hang later requests.
  const lostAfterMs = (options.timeoutMs ?? 5_000) + 1_000;
  // On Workers nothing runs after the response, so a stale set is refreshed before answering.
  const foreground = isCloudflareWorkers();
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let lastError = 'keys not loaded yet';
  // Reported once when it starts and once when it clears: an outage is one log line, not one per request.
  let condition: 'ok' | 'stale' | 'unreachable' = 'ok';

  async function load(): Promise<KeySet> {
    const url = typeof location === 'function' ? await location() : location;
    if (!isSafeKeyUrl(url, allowsHttp(options)))
      throw new KeyFetchError(`JWKS URL ${url.origin} is not https`);
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

  const pending = (): Promise<void> | undefined => {
    // Wall time, not the injectable clock: this is about how long a fetch has really been running.
    if (inflight !== undefined && Date.now() - inflightSince >= lostAfterMs) {
      inflight = undefined;
      lastError = `the JWKS fetch never completed (lost after ${lostAfterMs} ms)`;
      emit(onEvent, { type: 'jwt.jwks_failed', detail: lastError });
      degrade();
    }
    return inflight;
  };

  function refresh(): Promise<void> {
    const running = pending();
    if (running !== undefined) return running;
    lastAttemptAt = now();
    inflightSince = Date.now();
    const attempt: Promise<void> = timedOperation('jwt.jwks.fetch', load()).then(
      (keys) => {
        current = { keys, fetchedAt: now() };
        negative.clear();
        if (inflight === attempt) inflight = undefined;
        emit(onEvent, { type: 'jwt.jwks_refreshed', data: { keys: keys.size } });
        if (condition !== 'ok') {
          emit(onEvent, {
            type: 'jwt.jwks_recovered',
            detail: `JWKS reachable again after the keys were ${condition}; ${keys.size} keys in use`,
          });
          condition = 'ok';
        }
      },
      (err: unknown) => {
        if (inflight === attempt) inflight = undefined;
        lastError = err instanceof KeyFetchError ? err.message : `key import failed: ${String(err)}`;
        emit(onEvent, { type: 'jwt.jwks_failed', detail: lastError });
        degrade();
      },
    );
    inflight = attempt;
    return attempt;
  }

  /** Report the state the keys are in after a failed refresh, once per state. */
  function degrade(): void {
    const next = current === undefined || expired() ? 'unreachable' : 'stale';
    if (next === condition) return;
    condition = next;
    if (next === 'unreachable') {
      emit(onEvent, {
        type: 'jwt.jwks_unreachable',
        code: JWT_ERRORS.keysUnavailable.code,
        detail: `JWKS unreachable and no usable keys, so every token is refused with 503 ${JWT_ERRORS.keysUnavailable.code}: ${lastError}`,
      });
    } else {
      const ageSeconds = Math.round((now() - current!.fetchedAt) / 1000);
      emit(onEvent, {
        type: 'jwt.jwks_stale',
        detail: `JWKS refresh failed; still verifying with the keys fetched ${ageSeconds} s ago (kept at most jwks.maxStaleMs, ${maxStaleMs} ms): ${lastError}`,
        data: { ageSeconds },
      });
    }
  }

  /** Wait for the refresh in flight (or start one), but never past the point where it counts as lost. */
  async function refreshed(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const lost = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, lostAfterMs);
    });
    try {
      await Promise.race([refresh(), lost]);
    } finally {
      clearTimeout(timer);
    }
  }

  const coolingDown = (t = now()) => t - lastAttemptAt < cooldownMs;
  const expired = (t = now()) => current === undefined || t - current.fetchedAt > maxStaleMs + cacheMaxAgeMs;
  const stale = (t = now()) => t - current!.fetchedAt >= cacheMaxAgeMs;
  /** Stale: answer from the keys we have and refresh in the background (not on Workers: see `foreground`). */
  const revalidate = (t = now()) => {
    if (stale(t) && pending() === undefined && !coolingDown(t)) void refresh();
  };
  /** On Workers a stale set is refreshed in the request (once per cooldown), never left to the background. */
  const mustRefreshNow = (t = now()) => foreground && stale(t) && !coolingDown(t);

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
    holds(key, t) {
      if (expired(t)) return false;
      // The cached verification is set aside; verifying again through get() refreshes first.
      if (mustRefreshNow(t)) return false;
      // A cached verification counts as a use of the keys: it must not keep them from being refreshed,
      // or a withdrawn key would never be noticed while its tokens are served from the cache.
      revalidate(t);
      return current!.keys.has(key);
    },
    async get(kid, alg) {
      if (expired()) {
        if (pending() !== undefined || !coolingDown()) await refreshed();
        if (expired()) {
          degrade();
          return [JWT_ERRORS.keysUnavailable, `JWKS unavailable: ${lastError}`];
        }
      } else if (mustRefreshNow()) {
        await refreshed();
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
      if (pending() === undefined && coolingDown()) return notFound();
      await refreshed();
      const retry = lookup(kid, alg);
      if (retry !== undefined) return retry;
      if (kid !== undefined) negative.set(kid, true, now() + cooldownMs);
      return notFound();
    },
  };
}
