const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function lookup(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

const B64_LOOKUP = lookup(B64);
const B64URL_LOOKUP = lookup(B64URL);
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
  const len = input.length;
  if (len === 0 || len % 4 !== 0) return undefined;
  let pad = 0;
  if (input.charCodeAt(len - 1) === 61 /* = */) pad = input.charCodeAt(len - 2) === 61 ? 2 : 1;
  return decodeBits(input, len - pad, B64_LOOKUP);
}

/**
 * Strict unpadded base64url decoding (RFC 4648 §5); `undefined` for anything non-canonical.
 *
 * @example
 * decodeBase64UrlStrict('aGk') // Uint8Array [104, 105]
 */
export function decodeBase64UrlStrict(input: string): Uint8Array | undefined {
  if (input.length === 0 || input.length % 4 === 1) return undefined;
  return decodeBits(input, input.length, B64URL_LOOKUP);
}

function decodeBits(input: string, end: number, table: Int8Array): Uint8Array | undefined {
  const out = new Uint8Array((end * 3) >> 2);
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = input.charCodeAt(i);
    const v = c < 128 ? table[c]! : -1;
    if (v === -1) return undefined;
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
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
    const hi = hexValue(input.charCodeAt(i));
    const lo = hexValue(input.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i >> 1] = (hi << 4) | lo;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

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
  const alphabet = encoding === 'base64' ? B64 : B64URL;
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  const padding = encoding === 'base64';
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (padding ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (padding ? '=' : '');
  }
  return out;
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
