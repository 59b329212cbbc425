import type { DpopOptions } from '../dpop/options.js';
import type { DpopVerifier } from '../dpop/verifier.js';
import type { OnEvent } from '../events.js';
import type { RevocationStore } from '../stores/types.js';
import type { JwtAlgorithmName } from './algorithms.js';
import type { JwksOptions } from './jwks.js';
import type { JwtKeyOptions } from './keys.js';

/** One accepted issuer with its own key source: its keys never verify a token that names another issuer. */
export interface JwtIssuerOptions extends JwtKeyOptions {
  /** The exact `iss` value. */
  issuer: string;
  /** This issuer's algorithms; default the verifier's `algorithms`. */
  algorithms?: readonly JwtAlgorithmName[];
}

/** Opt-in cache of verified tokens, so a client repeating one token does not cost a signature check each time. */
export interface JwtCacheOptions {
  /** Bounded LRU size. Default 10 000. */
  maxEntries?: number;
  /** Longest time an entry is reused, ms (it never outlives the token's `exp`). Default 300 000. */
  maxAgeMs?: number;
}

/** Options of {@link createJwtVerifier}. */
export interface JwtVerifierOptions extends JwtKeyOptions {
  /** Accepted algorithms. Required; `none` is refused; HS* and asymmetric are never mixed for one key source. */
  algorithms: readonly JwtAlgorithmName[];
  /** Accepted `iss` value(s) for the top-level key source. Required unless `issuers` or `dangerouslyAcceptAnyIssuer`. */
  issuer?: string | readonly string[];
  /** Several issuers, each with its own key source (multi-tenant). Excludes the top-level issuer/key options. */
  issuers?: readonly JwtIssuerOptions[];
  /** This service's identifier(s); the token `aud` must contain one. Required unless `dangerouslyAcceptAnyAudience`. */
  audience?: string | readonly string[];
  /** Skip the `iss` check. Only for single-issuer keys you control; named loudly on purpose. */
  dangerouslyAcceptAnyIssuer?: true;
  /** Skip the `aud` check: a token minted for another service would be accepted here. */
  dangerouslyAcceptAnyAudience?: true;
  /**
   * Fetch the JWKS and discovery document over plain http from a non-loopback host (a development identity
   * provider such as Keycloak in docker compose). Anyone on the path could swap the keys: development only;
   * the verifier warns (`jwt.config_warning`: the app's sink once attached, else the console). Loopback http (localhost, 127.0.0.1, ::1) needs no opt-in.
   */
  dangerouslyAllowHttpIssuer?: true;
  /** Required header `typ`, e.g. `'at+jwt'` (RFC 9068) so an ID token cannot be used as an access token. */
  typ?: string;
  /** Allowed clock skew in seconds for `exp`/`nbf`/`iat`. Default 5, at most 300. */
  clockToleranceSeconds?: number;
  /** Refuse tokens issued (`iat`) more than this many seconds ago; makes `iat` required. */
  maxTokenAgeSeconds?: number;
  /** Longest accepted lifetime `exp - iat`, seconds. Default 3600: long-lived bearer tokens are refused. */
  maxLifetimeSeconds?: number;
  /** Claims that must be present (beyond `exp`, always required). */
  requiredClaims?: readonly string[];
  /** Tokens longer than this many characters are refused before any parsing. Default 8192. */
  maxTokenLength?: number;
  /** Protected headers longer than this many characters are refused before decoding. Default 1024. */
  maxHeaderLength?: number;
  /** Fetching and caching of remote JWKS (timeout, size cap, cache age, cooldown). */
  jwks?: JwksOptions;
  /** Denylist of `jti`s; makes `jti` required. Checked on every request, cached or not. */
  revocation?: RevocationStore;
  /**
   * Accept DPoP-bound tokens (RFC 9449) sent as `Authorization: DPoP` with a proof: options (the verifier's
   * `now` and `onEvent` are used unless set here) or a verifier from `createDpopVerifier`. Routes choose
   * `dpop: 'required' | 'allowed' | 'off'`; its `mode` is the default of routes that do not.
   */
  dpop?: DpopOptions | DpopVerifier;
  /** Opt-in verified-token cache. `true` for the defaults. */
  cache?: true | JwtCacheOptions;
  /** Receives `jwt.rejected` and `jwt.jwks_*` events with the precise reason. */
  onEvent?: OnEvent;
  /** Clock in ms, for tests. */
  now?: () => number;
}
