import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacBackend } from './signature-backend.js';
import { backend as nodeBackend } from './hmac-node.js';
import { backend as webBackend } from './hmac-web.js';

describe('HMAC back ends', () => {
  it('node resolves to node:crypto through the #webhook-hmac import condition', () => {
    expect(hmacBackend.name).toBe('node');
  });

  it('node:crypto and WebCrypto agree with each other and with a plain createHmac of prefix + body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.constantFrom('SHA-256' as const, 'SHA-512' as const),
        fc.string({ unit: fc.constantFrom(...'msg_0123456789.abc'.split('')), maxLength: 40 }),
        fc.uint8Array({ maxLength: 300 }),
        async (key, hash, prefix, body) => {
          const reference = createHmac(hash === 'SHA-256' ? 'sha256' : 'sha512', key)
            .update(Buffer.concat([Buffer.from(prefix, 'latin1'), body]))
            .digest();
          const fromNode = await nodeBackend.createKey(key, hash).sign(prefix, body);
          const fromWeb = await webBackend.createKey(key, hash).sign(prefix, body);
          expect(Buffer.from(fromNode).equals(reference)).toBe(true);
          expect(Buffer.from(fromWeb).equals(reference)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a key is copied: mutating the caller buffer afterwards changes nothing', async () => {
    const key = new Uint8Array(32).fill(7);
    const body = new TextEncoder().encode('{}');
    for (const b of [nodeBackend, webBackend]) {
      const k = b.createKey(key, 'SHA-256');
      const first = Buffer.from(await k.sign('p.', body));
      key.fill(8);
      expect(Buffer.from(await k.sign('p.', body)).equals(first)).toBe(true);
      key.fill(7);
    }
  });
});

describe('isUtf8', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const decodes = (bytes: Uint8Array): boolean => {
    try {
      fatal.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };
  const tricky = [
    [],
    [0x7b, 0x7d],
    [0xef, 0xbb, 0xbf, 0x7b, 0x7d], // BOM
    [0xc3, 0xa9], // é
    [0xf0, 0x9f, 0x98, 0x80], // U+1F600
    [0xf4, 0x8f, 0xbf, 0xbf], // U+10FFFF
    [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    [0xc0, 0x80], // overlong NUL
    [0xe0, 0x80, 0xaf], // overlong
    [0xed, 0xa0, 0x80], // a surrogate
    [0xe2, 0x82], // truncated
    [0x80], // lone continuation
    [0xff],
  ].map((b) => new Uint8Array(b));

  it('both back ends answer what a fatal TextDecoder accepts, on tricky and on random bytes', () => {
    for (const bytes of tricky) {
      expect(nodeBackend.isUtf8(bytes), String([...bytes])).toBe(decodes(bytes));
      expect(webBackend.isUtf8(bytes), String([...bytes])).toBe(decodes(bytes));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(nodeBackend.isUtf8(bytes)).toBe(decodes(bytes));
        expect(webBackend.isUtf8(bytes)).toBe(decodes(bytes));
      }),
    );
  });
});
