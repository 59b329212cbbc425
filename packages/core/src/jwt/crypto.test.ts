import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, decodeBase64UrlText } from '../encoding/base64url.js';
import { cryptoBackend } from './crypto.js';
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
  it('refuses invalid UTF-8 in both back ends', () => {
    const bad = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url');
    expect(cryptoBackend.decodeText(bad)).toBeUndefined();
    expect(web.decodeText(bad)).toBeUndefined();
  });
});
