import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  decodeBase64Url,
  decodeBase64UrlText,
  encodeBase64,
  encodeBase64Url,
} from './base64url.js';

describe('base64url', () => {
  it('round-trips any bytes and matches node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = encodeBase64Url(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
        expect(decodeBase64Url(encoded)).toEqual(bytes);
      }),
    );
  });

  it('accepts exactly one encoding per byte string (non-zero trailing bits refused)', () => {
    // 'aGk' is "hi"; 'aGl' differs only in the unused low bits of the last character.
    expect(decodeBase64Url('aGk')).toEqual(new Uint8Array([104, 105]));
    expect(decodeBase64Url('aGl')).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const bytes = decodeBase64Url(s);
        if (bytes !== undefined) expect(encodeBase64Url(bytes)).toBe(s);
      }),
    );
  });

  it('refuses padding, standard-alphabet characters, whitespace and impossible lengths', () => {
    for (const bad of ['aGk=', 'a+b/', 'aG k', 'a', 'abcde', 'é', '\n'])
      expect(decodeBase64Url(bad)).toBeUndefined();
  });

  it('decodes UTF-8 text strictly', () => {
    expect(decodeBase64UrlText(encodeBase64Url(new TextEncoder().encode('{"alg":"RS256"}')))).toBe(
      '{"alg":"RS256"}',
    );
    expect(decodeBase64UrlText(encodeBase64Url(new Uint8Array([0xc3, 0x28])))).toBeUndefined();
  });

  it('padded base64: round-trips, matches node, and accepts one spelling only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = encodeBase64(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(encoded)).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const bytes = decodeBase64(s);
        if (bytes !== undefined) expect(encodeBase64(bytes)).toBe(s);
      }),
    );
    for (const bad of ['aGk', 'aGl=', 'aG==', 'a===', '====', 'ab=c', 'aGk-', 'aGk_'])
      expect(decodeBase64(bad)).toBeUndefined();
  });
});
