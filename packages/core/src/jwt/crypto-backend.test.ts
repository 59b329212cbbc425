import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, decodeBase64UrlText } from '../encoding/base64url.js';
import { cryptoBackend } from './crypto-backend.js';
import { backend as web } from './crypto-web.js';

describe('#jwt-crypto', () => {
  it('resolves to the node:crypto back end under the node condition', () => {
    expect(cryptoBackend.name).toBe('node');
    expect(web.name).toBe('webcrypto');
  });
  it('hashes tokens identically in both back ends', async () => {
    expect(await web.hashToken('a.b.c')).toBe(cryptoBackend.hashToken('a.b.c'));
  });
  it('decodes base64url exactly like the strict portable decoder (property)', () => {
    const b64ish = fc.string({
      unit: fc.constantFrom(
        ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. '.split(''),
      ),
    });
    const canonical = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64url'));
    fc.assert(
      fc.property(fc.oneof(b64ish, canonical, fc.string()), (s) => {
        const node = cryptoBackend.decode(s);
        const portable = decodeBase64Url(s);
        expect(node === undefined ? undefined : [...node]).toEqual(
          portable === undefined ? undefined : [...portable],
        );
        expect(cryptoBackend.decodeText(s)).toBe(decodeBase64UrlText(s));
      }),
      { numRuns: 2000 },
    );
  });
  it('node: decodes through the per-encoding Buffer methods, not write/toString (same bytes, checked above)', () => {
    const write = Buffer.prototype.write;
    const encode = Buffer.prototype.toString;
    let calls = 0;
    Buffer.prototype.write = function (this: Buffer, ...args: unknown[]) {
      calls++;
      return (write as (...a: unknown[]) => number).apply(this, args);
    } as typeof write;
    Buffer.prototype.toString = function (this: Buffer, ...args: unknown[]) {
      calls++;
      return (encode as (...a: unknown[]) => string).apply(this, args);
    } as typeof encode;
    try {
      const sig = Buffer.alloc(256, 7).toString('base64url');
      const claims = Buffer.from('{"a":"✓"}').toString('base64url');
      calls = 0;
      const text = cryptoBackend.decodeText(claims);
      const bytes = cryptoBackend.decodeTransient!(sig);
      expect(calls).toBe(0);
      expect(text).toBe('{"a":"✓"}');
      expect([...bytes!]).toEqual([...Buffer.alloc(256, 7)]);
    } finally {
      Buffer.prototype.write = write;
      Buffer.prototype.toString = encode;
    }
  });
  it('refuses invalid UTF-8 in both back ends', () => {
    const bad = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url');
    expect(cryptoBackend.decodeText(bad)).toBeUndefined();
    expect(web.decodeText(bad)).toBeUndefined();
  });
});

describe('ECDSA signature encodings (both back ends)', () => {
  // P-256 group order n: r = s = 0 is CVE-2022-21449 ("psychic signatures"), r = s = n its modular twin.
  const ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

  it('refuses r = s = 0, r = s = n, DER instead of raw and wrong-length signatures for ES256', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
    const input = 'eyJhbGciOiJFUzI1NiJ9.e30';
    const raw = sign('sha256', Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
    const der = sign('sha256', Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'der' });
    const forged = [
      new Uint8Array(64),
      Buffer.concat([ORDER, ORDER]),
      Buffer.concat([raw.subarray(0, 32), new Uint8Array(32)]),
      der,
      raw.subarray(0, 63),
      Buffer.concat([raw, Buffer.from([0])]),
      Buffer.concat([Buffer.from([0]), raw.subarray(0, 32), Buffer.from([0]), raw.subarray(32)]),
      new Uint8Array(0),
    ];
    for (const backend of [cryptoBackend, web]) {
      const key = await backend.importPublicJwk(jwk, 'ES256');
      expect(await backend.verify('ES256', key, input, raw)).toBe(true);
      for (const [i, sig] of forged.entries()) {
        expect({ backend: backend.name, i, ok: await backend.verify('ES256', key, input, sig) }).toEqual({
          backend: backend.name,
          i,
          ok: false,
        });
      }
    }
  });
});
