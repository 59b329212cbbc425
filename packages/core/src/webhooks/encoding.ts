import { decodeHex, encodeHex } from '../bytes/index.js';
import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from '../encoding/base64url.js';

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
 * Decode a signature in one of the {@link SignatureEncoding}s, strictly.
 *
 * @example
 * decodeSignature('hex', 'ff') // Uint8Array [255]
 */
export function decodeSignature(encoding: SignatureEncoding, input: string): Uint8Array | undefined {
  if (encoding === 'hex') return decodeHex(input);
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
  if (encoding === 'hex') return encodeHex(bytes);
  return encoding === 'base64' ? encodeBase64(bytes) : encodeBase64Url(bytes);
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
