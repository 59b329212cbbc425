import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, type KeyPair, keyPair, rs256HeaderPolicy } from '../../test/jwt-fixtures.js';
import type { RequestLike } from '../http/request.js';
import { isB64Token } from './bearer.js';
import { parseCompact, type RefusedHeader } from './compact.js';
import { cryptoBackend } from './crypto-backend.js';
import { createJwtVerifierWith } from './verifier.js';

// A flood of one refused header (`alg: none`): answered without slicing and hashing the header per token,
// and with the b64token check reading only what follows the decoded header. Same answers as the long way.

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const b64 = (v: string) => Buffer.from(v).toString('base64url');
const NONE = b64('{"alg":"none","typ":"JWT"}');
const bearer = (t: string): RequestLike => ({
  method: 'GET',
  url: '/orders',
  header: (n) => (n === 'authorization' ? `Bearer ${t}` : undefined),
});

let rsa: KeyPair;
beforeAll(() => {
  rsa = keyPair('RS256', 'k1');
});
const verifier = () =>
  createJwtVerifierWith(
    { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, keys: [rsa.publicJwk] },
    cryptoBackend,
  );
const code = async (v: ReturnType<ReturnType<typeof verifier>['check']>) => {
  const r = await v;
  return r.ok ? null : r.error?.code;
};

/** A refused-header map that counts its lookups. */
class CountingMap extends Map<string, RefusedHeader> {
  gets = 0;
  override get(key: string): RefusedHeader | undefined {
    this.gets++;
    return super.get(key);
  }
}

describe('parseCompact: the refused header met last', () => {
  it('answers a repeat of it with the same refusal, without a lookup in the refused map', () => {
    const refused = new CountingMap();
    const policy = rs256HeaderPolicy(refused);
    const first = parseCompact(`${NONE}.${b64('{}')}.`, policy, cryptoBackend);
    const gets = refused.gets;
    const second = parseCompact(`${NONE}.${b64('{"sub":"x"}')}.sig`, policy, cryptoBackend);
    expect(second).toBe(first);
    expect(refused.gets).toBe(gets);
    // Its characters decoded as base64url: the refusal says how many are known good.
    expect(Array.isArray(first) && first[2]).toBe(NONE.length);
    // A header that did not decode says nothing of its characters.
    const bad = parseCompact('e*J.a.b', policy, cryptoBackend);
    expect(Array.isArray(bad) && bad[2]).toBe(undefined);
  });
});

describe('isB64Token(token, checked)', () => {
  it('answers what the whole-token check answers when the first `checked` characters are base64url', () => {
    const head = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
    const rest = fc.string({ unit: fc.constantFrom(...'aZ09-._~+/=.* ,%'.split('')), maxLength: 30 });
    fc.assert(
      fc.property(head, rest, (h, r) => {
        expect(isB64Token(h + r, h.length)).toBe(B64TOKEN.test(h + r));
      }),
    );
  });
});

describe('the verifier refuses an alg none flood as before', () => {
  const exec = RegExp.prototype.exec;
  afterEach(() => {
    RegExp.prototype.exec = exec;
  });

  it('malformed when a character past the header is no b64token character, else alg not allowed', async () => {
    const v = verifier();
    const rest = fc.string({ unit: fc.constantFrom(...'eyJ9-_.~+/=*% '.split('')), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(rest, rest, async (payload, signature) => {
        const t = `${NONE}.${payload.replaceAll('.', '')}.${signature.replaceAll('.', '')}`;
        if (t.includes(',') || t !== t.trim() || t.includes(' ')) return;
        const expected = B64TOKEN.test(t) ? 'JWT_ALG_NOT_ALLOWED' : 'JWT_MALFORMED';
        // Twice: the second answer comes from the refused header met last.
        expect(await code(v.check(bearer(t)))).toBe(expected);
        expect(await code(v.check(bearer(t)))).toBe(expected);
      }),
    );
  });

  it('reads only the characters after the refused header for the b64token check', async () => {
    const v = verifier();
    const t = `${NONE}.${b64('{"sub":"x"}')}.`;
    expect(await code(v.check(bearer(t)))).toBe('JWT_ALG_NOT_ALLOWED');
    const starts: number[] = [];
    RegExp.prototype.exec = function (this: RegExp, s: string) {
      if (s === t) starts.push(this.sticky ? this.lastIndex : 0);
      return exec.call(this, s);
    };
    expect(await code(v.check(bearer(t)))).toBe('JWT_ALG_NOT_ALLOWED');
    RegExp.prototype.exec = exec;
    expect(starts).toEqual([NONE.length]);
  });
});
