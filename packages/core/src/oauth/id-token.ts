import type { JWTPayload } from 'jose';
import { encodeBase64Url } from '../encoding/base64url.js';
import type { SecurityError } from '../errors.js';
import { checkClaims, type ClaimsPolicy } from '../jwt/claims.js';
import { type HeaderPolicy, parseCompact, parsePayload, parseSignature } from '../jwt/compact.js';
import { cryptoBackend } from '../jwt/crypto-backend.js';
import type { JwtCryptoBackend } from '../jwt/crypto-types.js';
import { JWT_ERRORS } from '../jwt/errors.js';
import type { KeySource } from '../jwt/jwks.js';
import { OAUTH_ERRORS } from './errors.js';

/** Verified ID Token claims. */
export type IdTokenClaims = JWTPayload & {
  readonly sub: string;
  readonly [claim: string]: unknown;
};

/** What an ID Token must prove (OpenID Connect Core 1.0 §3.1.3.7, §12.2). */
export interface IdTokenExpectations {
  readonly issuer: string;
  readonly clientId: string;
  readonly algorithms: readonly string[];
  /** The nonce sent in the authorization request; required for tokens from a login. */
  readonly nonce?: string | undefined;
  /** The access token that came with the ID Token, checked against `at_hash` when the token carries one. */
  readonly accessToken?: string | undefined;
  /** The `max_age` (seconds) sent with the request: `auth_time` must then be present and recent enough. */
  readonly maxAgeSeconds?: number | undefined;
  /** On refresh: the `sub` of the original ID Token. */
  readonly subject?: string | undefined;
  /** Seconds of allowed clock skew. */
  readonly clockToleranceSeconds: number;
  /** Clock in ms. */
  readonly now: () => number;
}

const HASH_OF: Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  RS256: 'SHA-256',
  PS256: 'SHA-256',
  ES256: 'SHA-256',
  RS384: 'SHA-384',
  PS384: 'SHA-384',
  ES384: 'SHA-384',
  RS512: 'SHA-512',
  PS512: 'SHA-512',
  ES512: 'SHA-512',
  // Ed25519 uses SHA-512 for hash claims (OpenID Connect errata for EdDSA).
  EdDSA: 'SHA-512',
  Ed25519: 'SHA-512',
};

/**
 * The `at_hash` / `c_hash` value of a token for a JWS algorithm: base64url of the left half of its hash.
 *
 * @example
 * await tokenHash('RS256', accessToken) === claims.at_hash
 */
export async function tokenHash(
  alg: string,
  token: string,
  backend: JwtCryptoBackend = cryptoBackend,
): Promise<string | undefined> {
  const hash = Object.hasOwn(HASH_OF, alg) ? HASH_OF[alg] : undefined;
  if (hash === undefined) return undefined;
  // node:crypto hashes synchronously; WebCrypto's digest is a hop to the thread pool.
  const d = backend.digest(hash, token);
  const digest = d instanceof Uint8Array ? d : await d;
  return encodeBase64Url(digest.subarray(0, digest.length / 2));
}

function invalid(detail: string): [SecurityError, string] {
  return [OAUTH_ERRORS.idTokenInvalid, `id_token ${detail}`];
}

/** A JWT-pipeline failure as an ID Token denial: unreachable keys are the provider's fault (503). */
function fromJwt([error, detail]: readonly [SecurityError, string, number?]): [SecurityError, string] {
  if (error.code === JWT_ERRORS.keysUnavailable.code) {
    return [OAUTH_ERRORS.providerUnavailable, `id_token keys unavailable: ${detail}`];
  }
  return invalid(`${detail} (${error.code})`);
}

// An ID Token is at most a few KiB; its header is small (no x5c expected).
const MAX_TOKEN = 16_384;
const MAX_HEADER = 2_048;
// iat may be at most this old (OIDC Core §3.1.3.7 #10 leaves the bound to the client).
const MAX_AGE_SECONDS = 600;
// exp - iat: providers issue ID Tokens for minutes to a day; iat above already bounds the replay window.
const MAX_LIFETIME_SECONDS = 31_536_000;

/**
 * Validate an ID Token through the same pipeline as an access token (`jwt/compact.ts`, `jwt/claims.ts`, a
 * {@link KeySource} from `jwt/jwks.ts`): strict compact parse, an allowlisted `alg`, no `crit`, header and
 * claims JSON with unique members (a second `"sub"` is refused, not taken), the key bound to one algorithm,
 * the signature; then `iss` exactly, `aud` contains the client id, `azp` when there are several audiences
 * (or whenever present), `exp`, `iat` (not in the future, not older than 10 minutes), `sub`, `nonce`,
 * `at_hash`, and `auth_time` (a number, not in the future, and recent enough for `max_age`). Resolves the
 * claims, or the denial with an operator detail.
 *
 * @example
 * const r = await validateIdToken(tokens.id_token, keySource, { issuer, clientId, algorithms: ['RS256'], nonce, ... });
 */
export async function validateIdToken(
  token: string,
  keys: KeySource,
  expect: IdTokenExpectations,
  backend: JwtCryptoBackend = cryptoBackend,
): Promise<IdTokenClaims | [SecurityError, string]> {
  if (typeof token !== 'string') return invalid('is not a string');
  const policy: HeaderPolicy = {
    maxTokenLength: MAX_TOKEN,
    maxHeaderLength: MAX_HEADER,
    algorithms: new Set(expect.algorithms),
    typ: undefined,
  };
  const parsed = parseCompact(token, policy, backend);
  if (Array.isArray(parsed)) return fromJwt(parsed);
  // Explicitly typed JWTs of the same provider can name this client in aud, but are not ID Tokens: access
  // tokens (RFC 9068 at+jwt), back-channel logout tokens (logout+jwt), security events (RFC 8417).
  const typ = parsed.header.typ;
  if (typeof typ === 'string' && /^(application\/)?(at|logout|secevent)\+jwt$/i.test(typ)) {
    return invalid(`has typ ${typ.toLowerCase()}, which is not an ID Token`);
  }
  const payload = parsePayload(parsed.payloadPart, backend);
  if (Array.isArray(payload)) return fromJwt(payload);
  const signature = parseSignature(parsed.signaturePart, backend);
  if (Array.isArray(signature)) return fromJwt(signature);
  const found = keys.get(parsed.kid, parsed.alg);
  const key = found instanceof Promise ? await found : found;
  if (Array.isArray(key)) return fromJwt(key);
  const verified = backend.verify(key.alg, key.handle, parsed.signingInput, signature);
  if (!(typeof verified === 'boolean' ? verified : await verified)) {
    return invalid(`signature does not verify with key ${key.kid ?? '(no kid)'}`);
  }
  if (payload.iss !== expect.issuer) return invalid('iss is not the configured issuer');
  const claimsPolicy: ClaimsPolicy = {
    audience: [expect.clientId],
    clockToleranceSeconds: expect.clockToleranceSeconds,
    maxTokenAgeSeconds: MAX_AGE_SECONDS,
    maxLifetimeSeconds: MAX_LIFETIME_SECONDS,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    requireJti: false,
  };
  const nowSeconds = expect.now() / 1000;
  const failed = checkClaims(payload, claimsPolicy, Math.floor(nowSeconds));
  if (failed !== undefined) return fromJwt(failed);
  const aud = payload.aud;
  if (Array.isArray(aud) && aud.length > 1 && payload.azp === undefined) {
    return invalid('has several audiences but no azp');
  }
  if (payload.azp !== undefined && payload.azp !== expect.clientId) return invalid('azp is another client');
  if (typeof payload.sub !== 'string' || payload.sub === '') return invalid('has no sub');
  if (expect.subject !== undefined && payload.sub !== expect.subject)
    return invalid('sub changed on refresh');
  if (expect.nonce !== undefined && payload.nonce !== expect.nonce) {
    return [OAUTH_ERRORS.nonceMismatch, 'id_token nonce does not match the one sent (token substitution?)'];
  }
  if (payload.at_hash !== undefined) {
    if (expect.accessToken === undefined) return invalid('has at_hash but no access token came with it');
    const expected = await tokenHash(parsed.alg, expect.accessToken, backend);
    if (expected === undefined || payload.at_hash !== expected)
      return invalid('at_hash does not match the access token');
  }
  const authTime = payload.auth_time;
  if (authTime !== undefined && (typeof authTime !== 'number' || !Number.isFinite(authTime))) {
    return invalid('auth_time is not a number');
  }
  if (typeof authTime === 'number' && authTime > nowSeconds + expect.clockToleranceSeconds) {
    return invalid('auth_time is in the future');
  }
  if (expect.maxAgeSeconds !== undefined) {
    if (authTime === undefined) return invalid('lacks auth_time although max_age was sent');
    if (nowSeconds - authTime > expect.maxAgeSeconds + expect.clockToleranceSeconds) {
      return invalid('auth_time is older than max_age');
    }
  }
  return payload as IdTokenClaims;
}
