import { decodesAsUtf8 } from '../bytes/utf8.js';
import { withPrefix } from './encoding.js';
import type { HmacBackend } from './hmac-types.js';

let count = 0;

/**
 * WebCrypto HMAC for every runtime fetch runs on (Workers, Deno, Bun, browsers). The CryptoKey is imported
 * on first use and shared by every request after it.
 *
 * @example
 * const mac = await backend.createKey(secret, 'SHA-256').sign('msg_1.1614265330.', body);
 */
export const backend: HmacBackend = {
  name: 'webcrypto',
  createKey(bytes, hash) {
    const raw = bytes.slice();
    let imported: Promise<CryptoKey> | undefined;
    return {
      async sign(prefix, body) {
        count++;
        imported ??= crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash }, false, ['sign']);
        const data = withPrefix(prefix, body);
        return new Uint8Array(await crypto.subtle.sign('HMAC', await imported, data as BufferSource));
      },
    };
  },
  operations: () => count,
  isUtf8: decodesAsUtf8,
};
