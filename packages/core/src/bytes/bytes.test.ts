import { createHash, hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashKeyPart } from '../ratelimit/limiter.js';
import { concatBytes } from './concat.js';
import { timingSafeEqual } from './equal.js';
import { decodeHex, encodeHex } from './hex.js';
import { randomBytes } from './random.js';
import * as nodeBackend from './sha256-node.js';
import * as webBackend from './sha256-web.js';
import { sha256, sha256Backend } from './index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256', () => {
  it('is node:crypto under the node condition', () => {
    expect(sha256Backend).toBe('node');
    expect(hex(sha256('abc'))).toBe(hex(webBackend.sha256('abc')));
  });

  for (const backend of [nodeBackend, webBackend]) {
    it(`${backend.sha256Backend}: the FIPS 180-4 vectors, and node:crypto on arbitrary text and bytes`, () => {
      expect(hex(backend.sha256('abc'))).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      expect(hex(backend.sha256(''))).toBe(
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      );
      expect(hex(backend.sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      );
      for (const s of [
        'x'.repeat(5000),
        '€'.repeat(1024),
        '😀'.repeat(700),
        'a'.repeat(55),
        'a'.repeat(56),
      ]) {
        expect(hex(backend.sha256(s))).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }),
          (s, b) => {
            expect(hex(backend.sha256(s))).toBe(hash('sha256', s));
            expect(hex(backend.sha256(b))).toBe(hash('sha256', b));
          },
        ),
      );
    });

    it(`${backend.sha256Backend}: sha256Base64Url is the digest as unpadded base64url`, () => {
      expect(backend.sha256Base64Url('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }),
          (s, b) => {
            expect(backend.sha256Base64Url(s)).toBe(hash('sha256', s, 'base64url'));
            expect(backend.sha256Base64Url(b)).toBe(Buffer.from(backend.sha256(b)).toString('base64url'));
          },
        ),
      );
    });
  }

  it('hashKeyPart (rate-limit store keys) is its first 128 bits, base64url', () => {
    const key = hashKeyPart('api-key-123');
    expect(key).toBe(
      createHash('sha256').update('api-key-123').digest().subarray(0, 16).toString('base64url'),
    );
    expect(key).toHaveLength(22);
  });
});

describe('timingSafeEqual', () => {
  it('is equality, for bytes and for strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
        expect(timingSafeEqual(a, a.slice())).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(a === b);
        expect(timingSafeEqual(a, `${a}`)).toBe(true);
      }),
    );
    // Differences in the last position count as much as in the first.
    expect(timingSafeEqual('state-a', 'state-b')).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
  });
});

describe('hex', () => {
  it('round-trips, and decodes only canonical lowercase', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (b) => {
        const text = encodeHex(b);
        expect(text).toBe(hex(b));
        expect(decodeHex(text)).toEqual(b);
        if (/[a-f]/.test(text)) expect(decodeHex(text.toUpperCase())).toBeUndefined();
      }),
    );
    for (const bad of ['', 'a', 'abc', '0g', ' 0a', '0a ', '0x0a', 'ÿÿ'])
      expect(decodeHex(bad)).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => void decodeHex(s)));
  });
});

describe('randomBytes and concatBytes', () => {
  it('gives n fresh bytes, and joins byte strings in order', () => {
    expect(randomBytes(32)).toHaveLength(32);
    expect(hex(randomBytes(16))).not.toBe(hex(randomBytes(16)));
    expect(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3]))).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    expect(concatBytes()).toEqual(new Uint8Array(0));
  });
});
