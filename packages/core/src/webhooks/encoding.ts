import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from '../encoding/base64url.js';

const HEX = '0123456789abcdef';

/** Signature encodings a scheme may use. Hex is lowercase only: every byte string has one accepted form. */
export type SignatureEncoding = 'hex' | 'base64' | 'base64url';

/**
 * Strict base64 (RFC 4648 §4, padded) decoding: standard alphabet, length a multiple of 4, padding only at
 * the end, unused bits zero. Each byte string has exactly one accepted encoding, so a signature cannot be
 * re-spelt to slip past a cache or a dedupe. `undefined` for anything else.
 *
 * @example
 * decodeBase64Strict('aGk=') // Uint8Array [104, 105]
 */
export function decodeBase64Strict(input: string): Uint8Array | undefined {
  return input.length === 0 ? undefined : decodeBase64(input);
}

/**
 * Decode the base64 of a `whsec_`/`whpk_` key: the standard alphabet, padded or not (the Standard Webhooks
 * Python library accepts keys without their `=`, so senders hand them out that way). Still strict: no other
 * alphabet, no whitespace, no partial padding, unused bits zero. `undefined` for anything else.
 *
 * @example
 * decodeBase64Key('aGk') // Uint8Array [104, 105], same as 'aGk='
 */
export function decodeBase64Key(input: string): Uint8Array | undefined {
  const rest = input.length % 4;
  if (rest === 0) return decodeBase64Strict(input);
  if (rest === 1 || input.includes('=')) return undefined;
  return decodeBase64(input + (rest === 2 ? '==' : '='));
}

/**
 * Strict unpadded base64url decoding (RFC 4648 §5); `undefined` for anything non-canonical.
 *
 * @example
 * decodeBase64UrlStrict('aGk') // Uint8Array [104, 105]
 */
export function decodeBase64UrlStrict(input: string): Uint8Array | undefined {
  return input.length === 0 ? undefined : decodeBase64Url(input);
}

/**
 * Strict lowercase hex decoding; `undefined` for odd lengths, uppercase or any other character.
 *
 * @example
 * decodeHexStrict('0aff') // Uint8Array [10, 255]
 */
export function decodeHexStrict(input: string): Uint8Array | undefined {
  const len = input.length;
  if (len === 0 || len % 2 !== 0) return undefined;
  const out = new Uint8Array(len >> 1);
  for (let i = 0; i < len; i += 2) {
    const hi = input.charCodeAt(i);
    const lo = input.charCodeAt(i + 1);
    // A character outside the table (or mapped to -1) makes the pair negative.
    const v = ((hi < 128 ? HEX_VALUE[hi]! : -1) << 4) | (lo < 128 ? HEX_VALUE[lo]! : -1);
    if (v < 0) return undefined;
    out[i >> 1] = v;
  }
  return out;
}

/** Lowercase hex digit → value, -1 for every other ASCII character. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE[HEX.charCodeAt(i)] = i;

/**
 * Decode a signature in one of the {@link SignatureEncoding}s, strictly.
 *
 * @example
 * decodeSignature('hex', 'ff') // Uint8Array [255]
 */
export function decodeSignature(encoding: SignatureEncoding, input: string): Uint8Array | undefined {
  if (encoding === 'hex') return decodeHexStrict(input);
  if (encoding === 'base64') return decodeBase64Strict(input);
  return decodeBase64UrlStrict(input);
}

/**
 * Encode bytes as a signature in one of the {@link SignatureEncoding}s (the canonical spelling).
 *
 * @example
 * encodeSignature('hex', new Uint8Array([255])) // 'ff'
 */
export function encodeSignature(encoding: SignatureEncoding, bytes: Uint8Array): string {
  if (encoding === 'hex') {
    let out = '';
    for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
    return out;
  }
  return encoding === 'base64' ? encodeBase64(bytes) : encodeBase64Url(bytes);
}

/**
 * Compare two byte strings in time that depends only on their length. Callers check the lengths first
 * (a signature of the wrong length is malformed, not a near miss), so no length leaks from here.
 *
 * @example
 * timingSafeEqual(expected, presented) // true when identical
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();

/**
 * `prefix` (ASCII, already validated) followed by `body`, as one byte string to sign.
 *
 * @example
 * withPrefix('msg_1.1614265330.', body)
 */
export function withPrefix(prefix: string, body: Uint8Array): Uint8Array {
  if (prefix === '') return body;
  const head = encoder.encode(prefix);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}
