import { backend } from '#webhook-hmac';
import type { HmacBackend, HmacHash } from './hmac-types.js';

export type { HmacHash, HmacKey } from './hmac-types.js';

/** Output length in bytes of each {@link HmacHash}: a presented signature of another length is malformed. */
export const HMAC_LENGTH: Readonly<Record<HmacHash, number>> = { 'SHA-256': 32, 'SHA-512': 64 };

/**
 * The HMAC back end of this runtime, resolved by the `#webhook-hmac` import condition (package.json
 * "imports"): node:crypto under the `node` condition, WebCrypto as the `default`.
 *
 * @example
 * hmacBackend.name // 'node' on Node.js
 */
export const hmacBackend: HmacBackend = backend;

/** An Ed25519 public key (Standard Webhooks `v1a`) imported once, on first use. */
export interface LazyEd25519Key {
  verify(signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

/**
 * Wrap a raw 32-byte Ed25519 public key (WebCrypto on every runtime: `v1a` is rare and asymmetric anyway).
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
