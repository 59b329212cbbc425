import { hash } from 'node:crypto';

/**
 * SHA-256 on node:crypto (the `node` condition of `#sha256`): one-shot, no Hash object per call.
 *
 * @example
 * sha256('abc')[0] // 0xba
 */
export function sha256(input: string | Uint8Array): Uint8Array {
  return hash('sha256', input, 'buffer');
}

/**
 * SHA-256 as unpadded base64url text (thumbprints, PKCE challenges, `ath`). Asking node for the text is
 * about twice as fast as a digest Buffer (a fresh ArrayBuffer per call) encoded afterwards.
 *
 * @example
 * sha256Base64Url('abc') // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
 */
export function sha256Base64Url(input: string | Uint8Array): string {
  return hash('sha256', input, 'base64url');
}

/** Which implementation this is, for tests and the tarball smoke check. */
export const sha256Backend = 'node';
