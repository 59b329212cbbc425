import type { JSONWebKeySet, JWK } from 'jose';
import { refuseKeyAsSecret } from '../config/key-material.js';
import { ConfigError, type SecurityError } from '../errors.js';
import type { OnEvent } from '../events.js';
import { ALGORITHM_KEYS, isSymmetric, type JwtAlgorithm } from './algorithms.js';
import type { JwtCryptoBackend } from './crypto-types.js';
import { discoverJwksUri } from './discovery.js';
import { JWT_ERRORS } from './errors.js';
import { allowsHttp, isSafeKeyUrl } from './fetch-json.js';
import { createRemoteKeySet, type JwksOptions, type KeySource } from './jwks.js';
import { type BoundKey, bindAlgorithms, KeySet } from './keyset.js';

/** Where a verifier (or one issuer of it) gets its keys. Exactly one of these. */
export interface JwtKeyOptions {
  /** Static public keys: a JWK Set, one JWK, or a list of JWKs. */
  keys?: JSONWebKeySet | JWK | readonly JWK[];
  /** JWKS endpoint of the issuer (https). */
  jwksUri?: string | URL;
  /** Find the JWKS through OpenID Connect Discovery of the issuer (`<issuer>/.well-known/openid-configuration`). */
  discovery?: true;
  /** HMAC secret for one HS* algorithm: at least as long as the hash output (32 bytes for HS256). */
  secret?: string | Uint8Array;
  /**
   * The `kid` your issuer puts on tokens signed with `secret`. Set, a token naming another kid is refused;
   * unset, the secret is the one key for its algorithm and any `kid` is taken as a hint (RFC 7515 §4.1.4).
   */
  secretKid?: string;
}

/** Everything a key source needs besides its own options. */
export interface KeySourceContext {
  readonly backend: JwtCryptoBackend;
  readonly jwks: JwksOptions;
  readonly onEvent: OnEvent | undefined;
  readonly now: () => number;
}

const SOURCES = ['keys', 'jwksUri', 'discovery', 'secret'] as const;

/** A fixed key set, imported on first use (key import is async in WebCrypto; construction is not). */
function staticSource(load: () => Promise<KeySet>): KeySource {
  let ready: Promise<KeySet> | undefined;
  let loaded: KeySet | undefined;
  const lookup = (set: KeySet, kid: string | undefined, alg: string): BoundKey | [SecurityError, string] => {
    const found = set.find(kid, alg);
    if (typeof found !== 'string') return found;
    if (found === 'unknown-kid') {
      return set.unnamedFor(alg) ?? [JWT_ERRORS.keyNotFound, 'no configured key has this kid'];
    }
    if (found === 'alg-mismatch') {
      return [JWT_ERRORS.algNotAllowed, `key ${kid} is bound to another algorithm than ${alg}`];
    }
    return [JWT_ERRORS.keyNotFound, `several keys fit alg ${alg}; the token must name a kid`];
  };
  return {
    // A configured set never changes while the verifier lives: a key it verified with stays valid.
    fixed: true,
    holds: (key) => loaded?.has(key) === true,
    get(kid, alg) {
      // Once imported, answer synchronously: no promise on the hot path.
      if (loaded !== undefined) return lookup(loaded, kid, alg);
      ready ??= load();
      return ready.then(
        (set) => {
          loaded = set;
          return lookup(set, kid, alg);
        },
        (err: unknown): [SecurityError, string] => {
          ready = undefined;
          return [
            JWT_ERRORS.keysUnavailable,
            `configured key cannot be imported: ${(err as Error)?.message}`,
          ];
        },
      );
    },
  };
}

/**
 * Check one key source against its algorithm allowlist and build it. Every problem is a ConfigError at
 * construction. `issuer` is needed for discovery.
 *
 * @example
 * const source = buildKeySource('jwt', { jwksUri: 'https://id.example.com/jwks' }, ['RS256'], issuer, ctx);
 */
export function buildKeySource(
  option: string,
  options: JwtKeyOptions,
  algorithms: readonly JwtAlgorithm[],
  issuer: string | undefined,
  ctx: KeySourceContext,
): KeySource {
  const given = SOURCES.filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw new ConfigError(
      option,
      given.length === 0 ? 'no key source' : `several key sources (${given.join(', ')})`,
      'set exactly one of keys, jwksUri, discovery or secret',
    );
  }
  const symmetric = isSymmetric(algorithms[0]!);
  if (options.secret !== undefined) {
    if (!symmetric) {
      throw new ConfigError(
        `${option}.secret`,
        'an HMAC secret was given for asymmetric algorithms',
        'use keys, jwksUri or discovery for RS/PS/ES/EdDSA',
      );
    }
    if (algorithms.length !== 1) {
      throw new ConfigError(
        `${option}.algorithms`,
        `one secret would verify ${algorithms.join(', ')}; a key must serve exactly one algorithm (RFC 8725 §3.1)`,
        'list the single HS* algorithm your issuer signs with',
      );
    }
    const alg = algorithms[0]!;
    // A public key (or certificate) pasted as the secret is the algorithm-confusion forgery built into the
    // config: whoever has the key can sign. Checked in every encoding before anything else.
    refuseKeyAsSecret(
      `${option}.secret`,
      options.secret,
      'verify RS/ES/EdDSA tokens with keys or jwksUri; use a random secret only for HS*',
    );
    const bytes =
      typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
    const need = ALGORITHM_KEYS[alg].min ?? 0;
    if (!(bytes instanceof Uint8Array)) {
      throw new ConfigError(`${option}.secret`, 'is not a string or bytes', 'pass the secret text or bytes');
    }
    if (bytes.length < need) {
      throw new ConfigError(
        `${option}.secret`,
        `is ${bytes.length} bytes, shorter than the ${need} bytes ${alg} needs`,
        `use a random secret of at least ${need} bytes`,
      );
    }
    const kid = options.secretKid;
    if (kid !== undefined && (typeof kid !== 'string' || kid === '' || kid.length > 256)) {
      throw new ConfigError(
        `${option}.secretKid`,
        'is not a string of 1 to 256 characters',
        'set the kid your issuer writes in the token header, or leave it unset',
      );
    }
    const copy = bytes.slice();
    return staticSource(async () => {
      const key: BoundKey = { kid, alg, handle: await ctx.backend.importSecret(copy, alg) };
      return new KeySet([key]);
    });
  }
  if (options.secretKid !== undefined) {
    throw new ConfigError(`${option}.secretKid`, 'is only used with secret', 'put kid on the JWKs instead');
  }
  if (symmetric) {
    throw new ConfigError(
      option,
      'HS* algorithms need an HMAC secret',
      'set secret, or list asymmetric algorithms for public keys',
    );
  }
  if (options.jwksUri !== undefined || options.discovery !== undefined) {
    if (options.discovery !== undefined) {
      if (options.discovery !== true || issuer === undefined) {
        throw new ConfigError(`${option}.discovery`, 'needs an exact issuer', 'set issuer, or use jwksUri');
      }
      if (!isSafeKeyUrl(new URL(issuer), allowsHttp(ctx.jwks))) {
        throw new ConfigError(
          `${option}.issuer`,
          'is not https, so discovery could be spoofed',
          'use an https issuer (a development identity provider on plain http, e.g. Keycloak in docker compose: dangerouslyAllowHttpIssuer: true)',
        );
      }
      return createRemoteKeySet(
        discoverJwksUri(issuer, ctx.jwks),
        algorithms,
        ctx.jwks,
        ctx.backend,
        ctx.onEvent,
        ctx.now,
      );
    }
    let url: URL;
    try {
      url = new URL(options.jwksUri!);
    } catch {
      throw new ConfigError(`${option}.jwksUri`, 'is not a URL', 'use the https URL of the issuer JWKS');
    }
    if (!isSafeKeyUrl(url, allowsHttp(ctx.jwks))) {
      throw new ConfigError(
        `${option}.jwksUri`,
        'is not https, so anyone on the path could swap the keys',
        'use an https URL (a development identity provider on plain http: dangerouslyAllowHttpIssuer: true)',
      );
    }
    return createRemoteKeySet(url, algorithms, ctx.jwks, ctx.backend, ctx.onEvent, ctx.now);
  }
  const raw = options.keys!;
  const list: readonly JWK[] = Array.isArray(raw)
    ? raw
    : typeof raw === 'object' && raw !== null && 'keys' in raw
      ? (raw as JSONWebKeySet).keys
      : [raw as JWK];
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(`${option}.keys`, 'is empty', 'pass at least one public JWK');
  }
  const bound = list.map((jwk, i) => {
    const algs = bindAlgorithms(jwk, algorithms);
    if (typeof algs === 'string') {
      throw new ConfigError(
        `${option}.keys[${i}]`,
        algs,
        'pass the public JWKs your issuer signs with, each with its alg',
      );
    }
    return { jwk, algs };
  });
  return staticSource(async () => {
    const keys: BoundKey[] = [];
    for (const { jwk, algs } of bound) {
      for (const alg of algs)
        keys.push({ kid: jwk.kid, alg, handle: await ctx.backend.importPublicJwk(jwk, alg) });
    }
    return new KeySet(keys);
  });
}
