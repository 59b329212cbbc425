import { encodeBase64Url } from '../encoding/base64url.js';

/**
 * Synchronous SHA-256 (FIPS 180-4) for rate-limit keys. Keys built from API keys or token subjects must not
 * reach a store in clear, the limiter's hot path must not wait on `crypto.subtle` (a promise per bucket),
 * and the core may not import `node:crypto`. Inputs are short, so a plain implementation is a few µs.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const W = new Uint32Array(64);
const encoder = new TextEncoder();
// Keys are short: encode them into one reused buffer instead of allocating per call.
const SHORT = 1024;
const scratch = new Uint8Array(SHORT * 3 + 72);

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/**
 * SHA-256 digest of the UTF-8 encoding of `text`.
 *
 * @example
 * sha256('abc')[0] // 0xba
 */
export function sha256(text: string): Uint8Array {
  let block: Uint8Array;
  let length: number;
  if (text.length <= SHORT) {
    length = encoder.encodeInto(text, scratch).written;
    block = scratch;
  } else {
    const data = encoder.encode(text);
    length = data.length;
    block = new Uint8Array(length + 72);
    block.set(data);
  }
  const total = Math.ceil((length + 9) / 64) * 64;
  block.fill(0, length, total);
  block[length] = 0x80;
  const bits = length * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  block[total - 8] = hi >>> 24;
  block[total - 7] = (hi >>> 16) & 255;
  block[total - 6] = (hi >>> 8) & 255;
  block[total - 5] = hi & 255;
  block[total - 4] = lo >>> 24;
  block[total - 3] = (lo >>> 16) & 255;
  block[total - 2] = (lo >>> 8) & 255;
  block[total - 1] = lo & 255;
  let h0 = 0x6a09e667;
  let h1 = 0xbb67ae85;
  let h2 = 0x3c6ef372;
  let h3 = 0xa54ff53a;
  let h4 = 0x510e527f;
  let h5 = 0x9b05688c;
  let h6 = 0x1f83d9ab;
  let h7 = 0x5be0cd19;
  for (let off = 0; off < total; off += 64) {
    for (let i = 0, j = off; i < 16; i++, j += 4) {
      W[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15]!;
      const w2 = W[i - 2]!;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  const words = [h0, h1, h2, h3, h4, h5, h6, h7];
  for (let i = 0; i < 8; i++) ov.setUint32(i * 4, words[i]! >>> 0);
  return out;
}

/**
 * A store-safe key part: the first 128 bits of SHA-256 of `text`, base64url (22 characters).
 *
 * @example
 * hashKeyPart('api-key-123').length // 22
 */
export function hashKeyPart(text: string): string {
  return encodeBase64Url(sha256(text).subarray(0, 16));
}
