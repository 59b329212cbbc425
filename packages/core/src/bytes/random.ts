/**
 * `n` bytes from the platform CSPRNG (`crypto.getRandomValues`, on every runtime bulwark supports).
 *
 * @example
 * const nonce = randomBytes(16);
 */
export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}
