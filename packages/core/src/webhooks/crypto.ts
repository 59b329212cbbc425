/** HMAC hashes a scheme may use. */
export type HmacHash = 'SHA-256' | 'SHA-512';

/** Output length in bytes of each {@link HmacHash}: a presented signature of another length is malformed. */
export const HMAC_LENGTH: Readonly<Record<HmacHash, number>> = { 'SHA-256': 32, 'SHA-512': 64 };

/**
 * An HMAC key imported once, on first use: construction stays synchronous (config errors are thrown there)
 * while the WebCrypto import, which is async, happens at most once per key and is shared by every request.
 */
export interface LazyHmacKey {
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * Wrap raw HMAC key bytes. The bytes are copied, so a caller mutating its buffer cannot change the key.
 *
 * @example
 * const key = lazyHmacKey(secretBytes, 'SHA-256');
 * const mac = await key.sign(content);
 */
export function lazyHmacKey(bytes: Uint8Array, hash: HmacHash): LazyHmacKey {
  const raw = bytes.slice();
  let imported: Promise<CryptoKey> | undefined;
  return {
    async sign(data) {
      imported ??= crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash }, false, ['sign']);
      return new Uint8Array(await crypto.subtle.sign('HMAC', await imported, data as BufferSource));
    },
  };
}

/** An Ed25519 public key (Standard Webhooks `v1a`) imported once, on first use. */
export interface LazyEd25519Key {
  verify(signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

/**
 * Wrap a raw 32-byte Ed25519 public key.
 *
 * @example
 * const ok = await lazyEd25519Key(publicKeyBytes).verify(signature, content);
 */
export function lazyEd25519Key(bytes: Uint8Array): LazyEd25519Key {
  const raw = bytes.slice();
  let imported: Promise<CryptoKey> | undefined;
  return {
    async verify(signature, data) {
      imported ??= crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
      return crypto.subtle.verify('Ed25519', await imported, signature as BufferSource, data as BufferSource);
    },
  };
}
