import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { encodeBase64Url } from '../encoding/base64url.js';

const encoder = new TextEncoder();

/**
 * SHA-256 on @noble/hashes (the `default` condition of `#sha256`: Workers, Deno, Bun, browsers), an audited
 * synchronous implementation: the hot paths that hash (rate-limit keys) cannot wait on `crypto.subtle`.
 *
 * @example
 * sha256('abc')[0] // 0xba
 */
export function sha256(input: string | Uint8Array): Uint8Array {
  return nobleSha256(typeof input === 'string' ? encoder.encode(input) : input);
}

/**
 * SHA-256 as unpadded base64url text (thumbprints, PKCE challenges, `ath`).
 *
 * @example
 * sha256Base64Url('abc') // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
 */
export function sha256Base64Url(input: string | Uint8Array): string {
  return encodeBase64Url(sha256(input));
}

/** Which implementation this is, for tests and the tarball smoke check. */
export const sha256Backend = 'noble';
