import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type HmacDigest, HmacKey } from './hmac-node.js';

const DIGESTS: readonly HmacDigest[] = ['sha256', 'sha384', 'sha512'];

describe('HmacKey (two one-shot hashes)', () => {
  it('computes the same MAC as createHmac for every digest, key length and message length', () => {
    for (const digest of DIGESTS) {
      // Shorter than, equal to and longer than the block (64 bytes for SHA-256, 128 for SHA-384/512).
      for (const keyLength of [1, 32, 64, 65, 127, 128, 129, 300]) {
        const secret = randomBytes(keyLength);
        const key = new HmacKey(secret, digest);
        // Empty, in the first scratch, growing it, at and past the streaming threshold.
        for (const length of [0, 1, 200, 1023, 1024, 5000, 16_383, 16_384, 16_385, 100_000]) {
          const body = randomBytes(length);
          const prefix = length % 2 === 0 ? 'msg_1.1614265330.' : '';
          const reference = createHmac(digest, secret).update(prefix).update(body).digest('binary');
          expect(key.mac(prefix, body), `${digest} key ${keyLength} body ${length}`).toBe(reference);
        }
        const text = `eyJhbGciOiJIUzI1NiJ9.${'x'.repeat(keyLength * 3)}`;
        expect(key.mac(text)).toBe(createHmac(digest, secret).update(text).digest('binary'));
      }
    }
  });

  it('gives a shorter message after a longer one the MAC of its own bytes only', () => {
    const secret = randomBytes(32);
    const key = new HmacKey(secret, 'sha256');
    key.mac('a'.repeat(4000));
    expect(key.mac('abc')).toBe(createHmac('sha256', secret).update('abc').digest('binary'));
  });

  it('is a different MAC under a different key', () => {
    const a = new HmacKey(randomBytes(32), 'sha256');
    const b = new HmacKey(randomBytes(32), 'sha256');
    expect(a.mac('same input')).not.toBe(b.mac('same input'));
  });
});
