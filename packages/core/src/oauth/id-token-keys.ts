import type { SecurityError } from '../errors.js';
import type { OnEvent } from '../events.js';
import type { JwtAlgorithm } from '../jwt/algorithms.js';
import { cryptoBackend } from '../jwt/crypto-backend.js';
import { createRemoteKeySet, type KeySource } from '../jwt/jwks.js';
import type { ProviderMetadata } from './discovery.js';
import { OAUTH_ERRORS } from './errors.js';
import { type IdTokenClaims, validateIdToken } from './id-token.js';
import type { ProviderHttp } from './provider-http.js';

/** What a client needs to check its provider's ID Tokens. */
export interface IdTokenCheckerOptions {
  readonly issuer: string;
  readonly clientId: string;
  /** The configured allowlist. */
  readonly algorithms: readonly string[];
  readonly http: ProviderHttp;
  readonly clockToleranceSeconds: number;
  readonly now: () => number;
  readonly onEvent: OnEvent | undefined;
}

/** Per-token expectations: the login's nonce, the access token for `at_hash`, `max_age`, the refresh `sub`. */
export interface IdTokenCheck {
  readonly nonce?: string;
  readonly accessToken: string;
  readonly maxAgeSeconds?: number | undefined;
  readonly subject?: string | undefined;
}

/** Checks ID Tokens of one provider against its key set. */
export interface IdTokenChecker {
  check(
    meta: ProviderMetadata,
    token: string,
    expect: IdTokenCheck,
  ): Promise<IdTokenClaims | readonly [SecurityError, string]>;
}

/**
 * The ID Token side of a client: the same key set as access tokens (`jwt/jwks.ts`: size cap, JSON content
 * type, each key bound to one algorithm, one refresh per cooldown), created once from the discovered
 * `jwks_uri`, for the configured algorithms the provider says it signs ID Tokens with, so a key published
 * without `alg` binds to the one algorithm actually in use.
 *
 * @example
 * const idTokens = createIdTokenChecker({ issuer, clientId, algorithms: ['RS256'], http, clockToleranceSeconds: 5, now: Date.now, onEvent: undefined });
 * const claims = await idTokens.check(meta, tokens.idToken, { nonce, accessToken: tokens.accessToken });
 */
export function createIdTokenChecker(options: IdTokenCheckerOptions): IdTokenChecker {
  const { issuer, clientId, http, clockToleranceSeconds, now, onEvent } = options;
  let set: { keys: KeySource; algorithms: readonly string[] } | undefined;

  function keysFor(meta: ProviderMetadata): typeof set | string {
    if (set !== undefined) return set;
    const advertised = meta.id_token_signing_alg_values_supported;
    const configured = options.algorithms;
    const algorithms =
      advertised === undefined ? configured : configured.filter((a) => advertised.includes(a));
    if (algorithms.length === 0) {
      return `the provider signs ID Tokens with ${advertised?.join(', ')}, none of ${configured.join(', ')}`;
    }
    const keys = createRemoteKeySet(
      new URL(meta.jwks_uri),
      algorithms as JwtAlgorithm[],
      http,
      cryptoBackend,
      onEvent,
      now,
    );
    set = { keys, algorithms };
    return set;
  }

  return {
    async check(meta, token, expect) {
      const found = keysFor(meta);
      if (typeof found === 'string') return [OAUTH_ERRORS.providerUnavailable, found];
      if (found === undefined) return [OAUTH_ERRORS.providerUnavailable, 'no ID Token keys'];
      return validateIdToken(token, found.keys, {
        issuer,
        clientId,
        algorithms: found.algorithms,
        clockToleranceSeconds,
        now,
        ...expect,
      });
    },
  };
}
