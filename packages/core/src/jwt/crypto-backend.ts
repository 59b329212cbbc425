import { backend } from '#jwt-crypto';
import type { JwtCryptoBackend } from './crypto-types.js';

/**
 * The signature back end of this runtime, resolved by the `#jwt-crypto` import condition (package.json
 * "imports"): node:crypto under the `node` condition, WebCrypto as the `default`.
 *
 * @example
 * cryptoBackend.name // 'node' on Node.js
 */
export const cryptoBackend: JwtCryptoBackend = backend;
