/** HMAC hashes a scheme may use. */
export type HmacHash = 'SHA-256' | 'SHA-512';

/** A keyed HMAC ready to sign `prefix` (ASCII) followed by `body`, without the caller concatenating them. */
export interface HmacKey {
  sign(prefix: string, body: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** One HMAC implementation: node:crypto under the `node` condition, WebCrypto elsewhere. */
export interface HmacBackend {
  readonly name: 'node' | 'webcrypto';
  /** Wrap raw key bytes (copied). Any import work happens lazily, once, on first use. */
  createKey(bytes: Uint8Array, hash: HmacHash): HmacKey;
  /** How many HMACs this backend computed since the process started (proves deny paths compute none). */
  operations(): number;
  /**
   * Whether `bytes` are well-formed UTF-8 (what a fatal `TextDecoder` accepts), without building the string
   * where the runtime can: a refused delivery never needs its text.
   */
  isUtf8(bytes: Uint8Array): boolean;
}
