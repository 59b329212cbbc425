import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCookies, serializeCookie } from './cookie.js';
import { safeReturnTo } from './login.js';
import { createTransactionCodec } from './transaction.js';

const SECRET = 'transaction-secret-0123456789abcdef012';
const TX = { binding: 'b', state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/x', issuedAt: 1 };

describe('cookies', () => {
  it('serialises strict attributes', () => {
    expect(serializeCookie('__Host-x', 'abc', { maxAgeSeconds: 600 })).toBe(
      '__Host-x=abc; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax',
    );
    expect(serializeCookie('x', '', { maxAgeSeconds: 0, secure: false })).toBe(
      'x=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax',
    );
    expect(() => serializeCookie('x', 'a;b', { maxAgeSeconds: 1 })).toThrow(TypeError);
    expect(() => serializeCookie('a b', 'v', { maxAgeSeconds: 1 })).toThrow(TypeError);
  });

  it('reads every value of a cookie', () => {
    expect(readCookies('a=1; b=2;a=3', 'a')).toEqual(['1', '3']);
    expect(readCookies(undefined, 'a')).toEqual([]);
    expect(readCookies('ab=1; xa=2; junk', 'a')).toEqual([]);
  });

  it('round-trips any serialisable value (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_.-]{0,60}$/),
        fc.stringMatching(/^[A-Za-z0-9]{1,10}$/),
        (value, other) => {
          const header = `o${other}=zz; ${serializeCookie('tx', value, { maxAgeSeconds: 1 }).split(';')[0]}`;
          expect(readCookies(header, 'tx')).toEqual([value]);
        },
      ),
    );
    fc.assert(fc.property(fc.string(), (header) => void readCookies(header, 'tx')));
  });
});

describe('transaction codec', () => {
  it('round-trips and refuses tampering, other keys and junk', async () => {
    const codec = createTransactionCodec('t', SECRET);
    const sealed = await codec.seal(TX);
    expect(await codec.open(sealed)).toEqual(TX);
    expect(await createTransactionCodec('t', `${SECRET}x`).open(sealed)).toBeUndefined();
    expect(await createTransactionCodec('t', [`${SECRET}x`, SECRET]).open(sealed)).toEqual(TX);
    const [payload, mac] = sealed.split('.');
    const evil = btoa(JSON.stringify({ ...TX, returnTo: '//evil' })).replace(/=+$/, '');
    expect(await codec.open(`${evil}.${mac}`)).toBeUndefined();
    expect(await codec.open(`${payload}.`)).toBeUndefined();
    expect(await codec.open(undefined)).toBeUndefined();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (s) => {
        fc.pre(s !== sealed);
        expect(await codec.open(s)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('safeReturnTo', () => {
  it('keeps local paths and drops everything that could leave the site', () => {
    expect(safeReturnTo('/account?tab=1')).toBe('/account?tab=1');
    for (const bad of [
      '//evil.com',
      '/\\evil.com',
      'https://evil.com',
      'javascript:alert(1)',
      '',
      'account',
      '/a b',
      undefined,
    ]) {
      expect(safeReturnTo(bad)).toBe('/');
    }
  });

  it('never returns something a browser would resolve to another origin (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = safeReturnTo(s);
        expect(new URL(out, 'https://app.example.com').origin).toBe('https://app.example.com');
      }),
      { numRuns: 2000 },
    );
  });
});
