import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashKeyPart, sha256 } from './hash.js';

describe('sha256', () => {
  it('matches node:crypto on the FIPS vectors and on arbitrary text', () => {
    const hex = (s: string) => Buffer.from(sha256(s)).toString('hex');
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        expect(hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }),
    );
  });

  it('handles inputs beyond the reused buffer and multi-byte characters', () => {
    const hex = (s: string) => Buffer.from(sha256(s)).toString('hex');
    for (const s of ['x'.repeat(5000), '€'.repeat(1024), '😀'.repeat(700), 'a'.repeat(55), 'a'.repeat(56)]) {
      expect(hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
    // the reused buffer is cleared between calls
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashKeyPart is the first 128 bits, base64url', () => {
    const key = hashKeyPart('api-key-123');
    expect(key).toBe(
      createHash('sha256').update('api-key-123').digest().subarray(0, 16).toString('base64url'),
    );
    expect(key).toHaveLength(22);
  });
});
