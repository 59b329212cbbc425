/**
 * Core's one bytes module: the constant-time compare, random bytes, concatenation, hex, and a synchronous
 * SHA-256 (node:crypto under the `node` condition, @noble/hashes elsewhere, chosen by the `#sha256` import).
 * Rules import from here; nothing else in core compares secrets or hashes by hand.
 */
export { sha256, sha256Backend, sha256Base64Url } from '#sha256';
export { concatBytes } from './concat.js';
export { timingSafeEqual } from './equal.js';
export { decodeHex, encodeHex } from './hex.js';
export { randomBytes } from './random.js';
