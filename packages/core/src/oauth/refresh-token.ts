import { decodeBase64Url, encodeBase64Url } from '../encoding/base64url.js';
import { concatBytes, sha256 } from '../bytes/index.js';

// A refresh token is base64url(familyKey[16] ‖ secret[32]): 64 characters, always canonical (48 bytes
// leave no spare bits). The family key is the same in every token of a family and never stored: the
// store sees only the family id (a hash of it), so any token of the family is recognised as the family's,
// which is what lets the store keep one previous hash instead of every retired one.
const TOKEN = /^[A-Za-z0-9_-]{64}$/;
const FAMILY_KEY_BYTES = 16;
const SECRET_BYTES = 32;
const ascii = new TextEncoder();
const FAMILY_LABEL = ascii.encode('bulwark/refresh-family/v1|');
const SEAL_LABEL = 'bulwark/refresh-retry/v1|';

/** A syntactically valid refresh token, split. */
export interface RefreshTokenParts {
  readonly text: string;
  readonly familyKey: Uint8Array;
}

/**
 * Split a presented refresh token, or undefined when it is not one of ours (wrong length or alphabet).
 *
 * @example
 * const parts = parseRefreshToken(body.refresh_token);
 */
export function parseRefreshToken(token: unknown): RefreshTokenParts | undefined {
  if (typeof token !== 'string' || !TOKEN.test(token)) return undefined;
  const bytes = decodeBase64Url(token);
  if (bytes === undefined || bytes.length !== FAMILY_KEY_BYTES + SECRET_BYTES) return undefined;
  return { text: token, familyKey: bytes.slice(0, FAMILY_KEY_BYTES) };
}

/**
 * A token of the family `familyKey` with a given secret part.
 *
 * @example
 * const token = composeRefreshToken(parts.familyKey, randomBytes(32));
 */
export function composeRefreshToken(familyKey: Uint8Array, secret: Uint8Array): string {
  return encodeBase64Url(concatBytes(familyKey, secret));
}

/**
 * The public id of a family: 128 bits of SHA-256 over its key. Safe to log; it does not give the key.
 *
 * @example
 * const familyId = await familyIdOf(parts.familyKey);
 */
export async function familyIdOf(familyKey: Uint8Array): Promise<string> {
  return encodeBase64Url(sha256(concatBytes(FAMILY_LABEL, familyKey)).subarray(0, 16));
}

/**
 * What the store keeps of a token: base64url SHA-256 of it.
 *
 * @example
 * const hash = await hashRefreshToken(token);
 */
export async function hashRefreshToken(token: string): Promise<string> {
  return encodeBase64Url(sha256(ascii.encode(token)));
}

// The pad is SHA-256 over a label and the presented token, a different hash from the one the store holds,
// so the store (or a dump of it) cannot open the seal; each token is rotated once, so a pad seals once.
async function pad(presented: string): Promise<Uint8Array> {
  return sha256(ascii.encode(SEAL_LABEL + presented));
}

/**
 * Seal the secret part of the successor so that only a holder of the presented token can open it.
 *
 * @example
 * const sealed = await sealSuccessor(token, nextSecret);
 */
export async function sealSuccessor(presented: string, secret: Uint8Array): Promise<string> {
  const key = await pad(presented);
  const out = new Uint8Array(SECRET_BYTES);
  for (let i = 0; i < SECRET_BYTES; i++) out[i] = secret[i]! ^ key[i]!;
  return encodeBase64Url(out);
}

/**
 * Open a sealed successor with the presented token; undefined when the value is not a seal.
 *
 * @example
 * const secret = await openSuccessor(token, result.sealedNext);
 */
export async function openSuccessor(presented: string, sealed: string): Promise<Uint8Array | undefined> {
  const bytes = decodeBase64Url(sealed);
  if (bytes === undefined || bytes.length !== SECRET_BYTES) return undefined;
  const key = await pad(presented);
  for (let i = 0; i < SECRET_BYTES; i++) bytes[i] = bytes[i]! ^ key[i]!;
  return bytes;
}

/** Random bytes of a token's secret part. */
export const REFRESH_SECRET_BYTES = SECRET_BYTES;
/** Random bytes of a family key. */
export const REFRESH_FAMILY_KEY_BYTES = FAMILY_KEY_BYTES;
