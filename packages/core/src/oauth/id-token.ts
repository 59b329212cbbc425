import { errors as joseErrors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { encodeBase64Url } from '../encoding/base64url.js';
import type { SecurityError } from '../errors.js';
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
  readonly maxAge?: number | undefined;
  /** On refresh: the `sub` of the original ID Token. */
  readonly subject?: string | undefined;
  /** Seconds of allowed clock skew. */
  readonly clockTolerance: number;
  /** Clock in ms. */
  readonly now: () => number;
}

const HASH_OF: Record<string, string> = {
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

const ascii = new TextEncoder();

/**
 * The `at_hash` / `c_hash` value of a token for a JWS algorithm: base64url of the left half of its hash.
 *
 * @example
 * await tokenHash('RS256', accessToken) === claims.at_hash
 */
export async function tokenHash(alg: string, token: string): Promise<string | undefined> {
  const hash = HASH_OF[alg];
  if (hash === undefined) return undefined;
  const digest = new Uint8Array(await crypto.subtle.digest(hash, ascii.encode(token)));
  return encodeBase64Url(digest.subarray(0, digest.length / 2));
}

function invalid(detail: string): [SecurityError, string] {
  return [OAUTH_ERRORS.idTokenInvalid, `id_token ${detail}`];
}

/**
 * Validate an ID Token: signature with the provider's keys and an allowlisted algorithm, `iss` exactly,
 * `aud` contains the client id, `azp` when there are several audiences (or whenever present), `exp`, `iat`
 * (not in the future, not older than 10 minutes), `sub`, `nonce`, `at_hash`, and `auth_time` against `max_age`.
 * Resolves the claims, or the denial with an operator detail.
 *
 * @example
 * const r = await validateIdToken(tokens.id_token, jwks, { issuer, clientId, algorithms: ['RS256'], nonce, ... });
 */
export async function validateIdToken(
  token: string,
  keys: JWTVerifyGetKey,
  expect: IdTokenExpectations,
): Promise<IdTokenClaims | [SecurityError, string]> {
  if (token.length > 16_384) return invalid('is too large');
  let payload: JWTPayload;
  let alg: string;
  let typ: string | undefined;
  try {
    const verified = await jwtVerify(token, keys, {
      algorithms: [...expect.algorithms],
      issuer: expect.issuer,
      audience: expect.clientId,
      clockTolerance: expect.clockTolerance,
      currentDate: new Date(expect.now()),
      maxTokenAge: 600,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    });
    payload = verified.payload;
    alg = verified.protectedHeader.alg;
    typ = verified.protectedHeader.typ;
  } catch (err) {
    if (err instanceof joseErrors.JWKSTimeout || !(err instanceof joseErrors.JOSEError)) {
      return [
        OAUTH_ERRORS.providerUnavailable,
        `id_token keys unavailable: ${(err as Error)?.message ?? 'error'}`,
      ];
    }
    if (err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTExpired) {
      return invalid(`claim ${err.claim} failed: ${err.reason}`);
    }
    return invalid(`failed verification: ${err.code}`);
  }
  // Explicitly typed JWTs of the same provider can name this client in aud, but are not ID Tokens: access
  // tokens (RFC 9068 at+jwt), back-channel logout tokens (logout+jwt), security events (RFC 8417).
  if (typeof typ === 'string' && /^(application\/)?(at|logout|secevent)\+jwt$/i.test(typ)) {
    return invalid(`has typ ${typ.toLowerCase()}, which is not an ID Token`);
  }
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
    const expected = await tokenHash(alg, expect.accessToken);
    if (expected === undefined || payload.at_hash !== expected)
      return invalid('at_hash does not match the access token');
  }
  if (expect.maxAge !== undefined) {
    const authTime = payload.auth_time;
    if (typeof authTime !== 'number' || !Number.isFinite(authTime))
      return invalid('lacks auth_time although max_age was sent');
    if (expect.now() / 1000 - authTime > expect.maxAge + expect.clockTolerance) {
      return invalid('auth_time is older than max_age');
    }
  }
  return payload as IdTokenClaims;
}
