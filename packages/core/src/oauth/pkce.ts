import { randomBytes, sha256Base64Url, timingSafeEqual } from '../bytes/index.js';
import { encodeBase64Url } from '../encoding/base64url.js';

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export interface PkcePair {
  /** Kept secret by the client (in the login transaction) and sent with the code exchange. */
  readonly verifier: string;
  /** Sent in the authorization request. */
  readonly challenge: string;
  /** Always `S256`: `plain` would hand the verifier to anyone who sees the authorization request. */
  readonly method: 'S256';
}

// RFC 7636 §4.1: 43–128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))).
 *
 * @example
 * await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk') // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export async function pkceChallenge(verifier: string): Promise<string> {
  return sha256Base64Url(verifier);
}

/**
 * Create a PKCE pair: 32 random bytes (256 bits, RFC 7636 §7.1's recommendation) as a 43-character
 * base64url verifier, and its S256 challenge.
 *
 * @example
 * const { verifier, challenge } = await createPkcePair();
 * url.searchParams.set('code_challenge', challenge);
 * url.searchParams.set('code_challenge_method', 'S256');
 */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = encodeBase64Url(randomBytes(32));
  return { verifier, challenge: await pkceChallenge(verifier), method: 'S256' };
}

/**
 * Authorization-server side: check a token request's `code_verifier` against the stored challenge.
 * Only `S256` is accepted; a missing or malformed verifier fails.
 *
 * @example
 * if (!(await verifyPkce(body.code_verifier, grant.codeChallenge, grant.codeChallengeMethod))) {
 *   return deny(OAUTH_ERRORS.pkceInvalid); // 400, answer error=invalid_grant
 * }
 */
export async function verifyPkce(
  verifier: string | undefined,
  challenge: string,
  method: string,
): Promise<boolean> {
  if (method !== 'S256' || typeof verifier !== 'string' || !VERIFIER.test(verifier)) return false;
  const computed = await pkceChallenge(verifier);
  // Both are public-length base64url; compare every character so the time does not depend on the prefix.
  return timingSafeEqual(computed, challenge);
}
