const HEX = '0123456789abcdef';

/**
 * Lowercase hex of the bytes.
 *
 * @example
 * encodeHex(new Uint8Array([10, 255])) // '0aff'
 */
export function encodeHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

/**
 * Strict lowercase hex decoding: `undefined` for an empty or odd-length input, upper case or any other
 * character, so every byte string has exactly one accepted spelling.
 *
 * @example
 * decodeHex('0aff') // Uint8Array [10, 255]
 * decodeHex('0AFF') // undefined
 */
export function decodeHex(input: string): Uint8Array | undefined {
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
