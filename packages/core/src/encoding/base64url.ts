const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/**
 * Strict base64url decoding (RFC 4648 §5, no padding): only the URL-safe alphabet, no length that cannot
 * occur, and the unused low bits of the last character must be zero, so every byte string has exactly one
 * accepted encoding. Returns `undefined` for anything else instead of guessing.
 *
 * @example
 * decodeBase64Url('aGk') // Uint8Array [104, 105]
 */
export function decodeBase64Url(input: string): Uint8Array | undefined {
  const len = input.length;
  if (len % 4 === 1) return undefined;
  const out = new Uint8Array((len * 3) >> 2);
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v === -1) return undefined;
    buffer = (buffer << 6) | v;
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
 * base64url without padding.
 *
 * @example
 * encodeBase64Url(new Uint8Array([104, 105])) // 'aGk'
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
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
