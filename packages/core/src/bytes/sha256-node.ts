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

/** Which implementation this is, for tests and the tarball smoke check. */
export const sha256Backend = 'node';
