const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function lookup(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

const URL_LOOKUP = lookup(URL_ALPHABET);
const STD_LOOKUP = lookup(STD_ALPHABET);

/** Decode `input[0, end)` in the given alphabet; the unused low bits of the last character must be zero. */
function decodeSextets(input: string, end: number, table: Int8Array): Uint8Array | undefined {
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

function encodeSextets(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/**
 * Strict base64url decoding (RFC 4648 §5, no padding): only the URL-safe alphabet, no length that cannot
 * occur, and the unused low bits of the last character must be zero, so every byte string has exactly one
 * accepted encoding. Returns `undefined` for anything else instead of guessing.
 *
 * @example
 * decodeBase64Url('aGk') // Uint8Array [104, 105]
 */
export function decodeBase64Url(input: string): Uint8Array | undefined {
  if (input.length % 4 === 1) return undefined;
  return decodeSextets(input, input.length, URL_LOOKUP);
}

/**
 * Strict base64 decoding (RFC 4648 §4, padded): standard alphabet, length a multiple of 4, padding only at
 * the end, unused bits zero; one accepted encoding per byte string.
 *
 * @example
 * decodeBase64('aGk=') // Uint8Array [104, 105]
 */
export function decodeBase64(input: string): Uint8Array | undefined {
  const len = input.length;
  if (len % 4 !== 0) return undefined;
  let pad = 0;
  if (len > 0 && input.charCodeAt(len - 1) === 61 /* = */) pad = input.charCodeAt(len - 2) === 61 ? 2 : 1;
  return decodeSextets(input, len - pad, STD_LOOKUP);
}

/**
 * base64url without padding.
 *
 * @example
 * encodeBase64Url(new Uint8Array([104, 105])) // 'aGk'
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeSextets(bytes, URL_ALPHABET, false);
}

/**
 * base64 with padding.
 *
 * @example
 * encodeBase64(new Uint8Array([104, 105])) // 'aGk='
 */
export function encodeBase64(bytes: Uint8Array): string {
  return encodeSextets(bytes, STD_ALPHABET, true);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode base64url then UTF-8 (fatal on invalid sequences); `undefined` when either step fails.
 *
 * @example
 * decodeBase64UrlText('eyJhbGciOiJSUzI1NiJ9') // '{"alg":"RS256"}'
 */
export function decodeBase64UrlText(input: string): string | undefined {
  const bytes = decodeBase64Url(input);
  if (bytes === undefined) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
