import { createHash } from 'node:crypto';
import { getHeapSnapshot } from 'node:v8';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { API, dpopRequest } from '../../test/dpop-fixtures.js';
import {
  AUDIENCE,
  ISSUER,
  type KeyPair,
  keyPair,
  rs256HeaderPolicy,
  signRaw,
  token,
} from '../../test/jwt-fixtures.js';
import { decodeBase64Url, decodeBase64UrlText } from '../encoding/base64url.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createJwtAuthorizer } from './authorize.js';
import { parseCompact } from './compact.js';
import { createMemoryRevocationStore } from '../stores/memory.js';
import { cryptoBackend } from './crypto-backend.js';
import { backend as webBackend } from './crypto-web.js';
import type { JwtCryptoBackend } from './crypto-types.js';
import type { JwtVerifierOptions } from './options.js';
import { createJwtVerifierWith, type JwtVerdict } from './verifier.js';

// The shortcuts of the hot paths (issue 18): each must answer exactly what the long way answers.

const NOW = Math.floor(Date.now() / 1000);
const clock = () => NOW * 1000;
const b64 = (v: string) => Buffer.from(v).toString('base64url');
const code = (v: { ok: boolean; error?: { code: string } | undefined }) => (v.ok ? null : v.error!.code);
const bearer = (t: string): RequestLike => ({
  method: 'GET',
  url: '/orders',
  header: (n) => (n === 'authorization' ? `Bearer ${t}` : undefined),
});

/** The node back end with its signature checks counted. */
function counting(): { backend: JwtCryptoBackend; verifies: () => number } {
  let n = 0;
  return {
    backend: {
      ...cryptoBackend,
      verify: (...args) => {
        n++;
        return cryptoBackend.verify(...args);
      },
    },
    verifies: () => n,
  };
}

let rsa: KeyPair;
let other: KeyPair;
beforeAll(() => {
  rsa = keyPair('RS256', 'k1');
  other = keyPair('RS256', 'k1');
});

function verifier(backend: JwtCryptoBackend, extra: Partial<JwtVerifierOptions> = {}) {
  return createJwtVerifierWith(
    {
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      now: clock,
      ...extra,
    },
    backend,
  );
}

describe('verified-token cache: keyed by the whole token', () => {
  it('a token sharing its header, payload or signature with a cached one is verified on its own', async () => {
    const { backend, verifies } = counting();
    const v = verifier(backend, { cache: true });
    const good = token(rsa, NOW);
    const [h, p, s] = good.split('.') as [string, string, string];
    expect(code(await v.verifyToken(good))).toBe(null);
    expect(code(await v.check(bearer(good)))).toBe(null);
    expect(verifies()).toBe(1); // the second answer came from the cache
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const otherPayload = b64(JSON.stringify({ ...payload, sub: 'admin' }));
    const otherHeader = b64(JSON.stringify({ alg: 'RS256', kid: 'k1', typ: 'JWT' }));
    const sameSigningInput = token(other, NOW).split('.')[2]!;
    const lookalikes = [
      `${h}.${otherPayload}.${s}`, // same header (prefix) and signature (suffix)
      `${otherHeader}.${p}.${s}`, // same payload and signature
      `${h}.${p}.${sameSigningInput}`, // same header.payload, another well-formed signature
    ];
    for (const t of lookalikes) {
      expect(code(await v.verifyToken(t))).toBe('JWT_SIGNATURE_INVALID');
      expect(code(await v.check(bearer(t)))).toBe('JWT_SIGNATURE_INVALID');
    }
    expect(verifies()).toBe(1 + 2 * lookalikes.length); // none of them was a hit
    // The same token with a character added or taken away at either end is another token too.
    for (const t of [`${good}A`, good.slice(0, -1), `A${good}`, good.slice(1)])
      expect(code(await v.verifyToken(t))).not.toBe(null);
    expect(code(await v.verifyToken(good))).toBe(null);
  });

  it('keys the cache by SHA-256 of the token (node: the 32 digest bytes as latin1 text)', () => {
    const t = token(rsa, NOW);
    expect(cryptoBackend.cacheKey(t)).toBe(createHash('sha256').update(t).digest('binary'));
    expect(cryptoBackend.cacheKey(t)).not.toContain(t.split('.')[2]!.slice(0, 8));
  });

  it('answers every hit with one frozen verdict', async () => {
    const v = verifier(cryptoBackend, { cache: true });
    const t = token(rsa, NOW);
    await v.verifyToken(t);
    const a = await v.verifyToken(t);
    const b = await v.verifyToken(t);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { value: unknown }).value = {};
    }).toThrow(TypeError);
  });

  it('hands every hit of verifyToken one settled, frozen promise of that verdict', async () => {
    const v = verifier(cryptoBackend, { cache: true });
    const t = token(rsa, NOW);
    const first = v.verifyToken(t);
    const verdict = await first;
    const hit = v.verifyToken(t);
    expect(hit).toBeInstanceOf(Promise);
    expect(v.verifyToken(t)).toBe(hit);
    expect(Object.isFrozen(hit)).toBe(true);
    expect(await hit).toBe(verdict);
    // Another token, and a token that is refused, get promises of their own.
    expect(v.verifyToken(token(rsa, NOW, { jti: 'other' }))).not.toBe(hit);
    expect(code(await v.verifyToken(`${t}x`))).toBe('JWT_MALFORMED');
  });
});

describe('the signature is decoded without a copy, and copied when the key lookup waits', () => {
  it('verifies tokens whose key lookups all wait (keys still loading) while others are decoded', async () => {
    // The first lookups of a configured key set wait for its import: each token's signature bytes must
    // survive the signatures decoded after them.
    const v = verifier(cryptoBackend);
    const tokens = [1, 2, 3, 4].map((i) => token(rsa, NOW, { jti: `t${i}` }));
    const forged = `${tokens[0]!.slice(0, tokens[0]!.lastIndexOf('.'))}.${tokens[1]!.split('.')[2]}`;
    const verdicts = await Promise.all([...tokens, forged].map((t) => v.verifyToken(t)));
    expect(verdicts.map(code)).toEqual([null, null, null, null, 'JWT_SIGNATURE_INVALID']);
  });

  it('decodes into reused memory exactly what decode gives (property, signature lengths and past them)', () => {
    const canonical = fc
      .uint8Array({ minLength: 180, maxLength: 1100 })
      .map((b) => Buffer.from(b).toString('base64url'));
    const mutated = fc
      .tuple(canonical, fc.nat(), fc.constantFrom('A', 'Q', '_', '+', '/', '=', ' ', 'é', ''))
      .map(([s, i, c]) => {
        const at = i % s.length;
        return i % 3 === 0 ? s.slice(0, at) + c + s.slice(at) : s.slice(0, at) + c + s.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(canonical, mutated), (s) => {
        const transient = cryptoBackend.decodeTransient!(s);
        const copy = transient === undefined ? undefined : [...transient];
        const decoded = cryptoBackend.decode(s);
        expect(copy).toEqual(decoded === undefined ? undefined : [...decoded]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('an expired token costs no signature check', () => {
  it('refuses a token past its exp (or maxTokenAgeSeconds) before the signature check', async () => {
    const { backend, verifies } = counting();
    const v = verifier(backend);
    expect(code(await v.verifyToken(token(rsa, NOW - 4000)))).toBe('JWT_EXPIRED');
    expect(code(await v.check(bearer(token(rsa, NOW - 4000))))).toBe('JWT_EXPIRED');
    const aged = verifier(backend, { maxTokenAgeSeconds: 60 });
    expect(code(await aged.verifyToken(token(rsa, NOW - 120)))).toBe('JWT_EXPIRED');
    expect(verifies()).toBe(0);
    expect(code(await v.verifyToken(token(rsa, NOW)))).toBe(null);
    expect(verifies()).toBe(1);
  });

  it('still reports every other claim failure of a forged token as a forgery, after the signature', async () => {
    const { backend, verifies } = counting();
    const v = verifier(backend, { requiredClaims: ['jti'] });
    const forged = (extra: Record<string, unknown>) => token(other, NOW, extra);
    for (const extra of [
      { aud: 'https://other.test' },
      { nbf: NOW + 600 },
      { jti: undefined },
      { sub: {} },
    ]) {
      expect({ extra, code: code(await v.verifyToken(forged(extra))) }).toEqual({
        extra,
        code: 'JWT_SIGNATURE_INVALID',
      });
    }
    expect(verifies()).toBe(4);
    // Genuine, the same claims get their own codes, as before.
    expect(code(await v.verifyToken(token(rsa, NOW, { aud: 'https://other.test' })))).toBe(
      'JWT_AUDIENCE_MISMATCH',
    );
    expect(code(await v.verifyToken(token(rsa, NOW, { nbf: NOW + 600 })))).toBe('JWT_NOT_YET_VALID');
    expect(code(await v.verifyToken(token(rsa, NOW, { jti: undefined })))).toBe('JWT_CLAIM_INVALID');
    // A genuine expired token missing a required claim: the missing claim comes first, as before.
    expect(code(await v.verifyToken(token(rsa, NOW - 4000, { jti: undefined })))).toBe('JWT_CLAIM_INVALID');
  });

  it('reports a forged token that is also expired as expired (documented in docs/jwt.md)', async () => {
    const v = verifier(cryptoBackend);
    expect(code(await v.verifyToken(token(other, NOW - 4000)))).toBe('JWT_EXPIRED');
  });
});

describe('refused headers are remembered', () => {
  function countingCodec() {
    let n = 0;
    return {
      codec: {
        decode: cryptoBackend.decode,
        decodeText: (part: string) => {
          n++;
          return cryptoBackend.decodeText(part);
        },
      },
      decodes: () => n,
    };
  }

  it('decodes an alg:none header once, and refuses it the same way every time', () => {
    const p = rs256HeaderPolicy();
    const { codec, decodes } = countingCodec();
    const none = `${b64('{"alg":"none"}')}.${b64('{}')}.`;
    const first = parseCompact(none, p, codec);
    expect(Array.isArray(first) && first[0].code).toBe('JWT_ALG_NOT_ALLOWED');
    for (let i = 0; i < 5; i++) expect(parseCompact(none, p, codec)).toEqual(first);
    // Another payload under the same refused header: the same refusal, still no decode.
    expect(parseCompact(`${b64('{"alg":"none"}')}.${b64('{"sub":"x"}')}.x`, p, codec)).toEqual(first);
    expect(decodes()).toBe(1);
  });

  it('keeps refused and accepted headers apart: a flood of distinct bad headers leaves the good ones', () => {
    const p = rs256HeaderPolicy();
    const good = `${b64('{"alg":"RS256"}')}.${b64('{}')}.c2ln`;
    expect(Array.isArray(parseCompact(good, p, cryptoBackend))).toBe(false);
    for (let i = 0; i < 100; i++) {
      const bad = `${b64(`{"alg":"none","n":${i}}`)}.${b64('{}')}.`;
      const r = parseCompact(bad, p, cryptoBackend);
      expect(Array.isArray(r) && r[0].code).toBe('JWT_ALG_NOT_ALLOWED');
    }
    expect(p.memo!.has(good.split('.')[0]!)).toBe(true);
    expect(p.refused!.size).toBeLessThanOrEqual(32);
  });

  it('answers a verifier’s refusals the same from memory (every refusal code a header can get)', async () => {
    const v = verifier(cryptoBackend, { typ: 'at+jwt' });
    const claims = { iss: ISSUER, aud: AUDIENCE, exp: NOW + 60 };
    const cases: [object | string, string][] = [
      [{ alg: 'none' }, 'JWT_ALG_NOT_ALLOWED'],
      [{ alg: 'HS256', typ: 'at+jwt' }, 'JWT_ALG_NOT_ALLOWED'],
      [{ alg: 'RS256', typ: 'JWT' }, 'JWT_TYPE_INVALID'],
      [{ alg: 'RS256', typ: 'at+jwt', crit: ['exp'] }, 'JWT_CRIT_UNSUPPORTED'],
      ['{"alg":"RS256","alg":"RS256","typ":"at+jwt"}', 'JWT_MALFORMED'],
      ['[1]', 'JWT_MALFORMED'],
    ];
    for (let pass = 0; pass < 3; pass++) {
      for (const [header, expected] of cases) {
        const t = signRaw('RS256', rsa.privateKey, header, claims);
        expect({ header, code: code(await v.verifyToken(t)) }).toEqual({ header, code: expected });
      }
    }
  });
});

describe('the header memo keeps header texts, not the tokens they came from', () => {
  it('leaves no verified token in the heap', async () => {
    const v = verifier(cryptoBackend);
    let t: string | undefined = token(rsa, NOW, { jti: crypto.randomUUID() });
    // The token's signature in two halves of their own: the snapshot holds each half, and holds them joined
    // only where something keeps the token.
    const halves = ((sig: string) =>
      [sig.slice(0, 100).split('').join(''), sig.slice(100).split('').join('')] as const)(
      t.slice(t.lastIndexOf('.') + 1),
    );
    expect(code(await v.verifyToken(t))).toBe(null);
    t = undefined;
    // V8 keeps the subject of the last regular expression match (RegExp.input): a slice of the token here.
    /x/.test('x');
    const chunks: Buffer[] = [];
    for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
    const snapshot = Buffer.concat(chunks).toString('latin1');
    expect(snapshot.includes(halves[0])).toBe(true);
    expect(snapshot.includes(halves[0] + halves[1])).toBe(false);
  }, 60_000);
});

describe('check(): the token characters are checked when a token is refused', () => {
  it('answers a token that is no b64token as malformed, whatever else is wrong with it', async () => {
    const events: SecurityEvent[] = [];
    const v = verifier(cryptoBackend, { onEvent: (e) => events.push(e) });
    const none = b64('{"alg":"none"}');
    for (const t of [
      `${none}.not base64!.x`, // the header alone would say JWT_ALG_NOT_ALLOWED
      `${none}.${b64('{}')}.`.replace('.', '.*'),
      `${token(rsa, NOW - 4000)}!`, // expired, and a character no b64token has
      `${token(rsa, NOW).slice(0, -2)}*%`,
      'a.b.c!',
    ]) {
      events.length = 0;
      expect({ t, code: code(await v.check(bearer(t))) }).toEqual({ t, code: 'JWT_MALFORMED' });
      expect(events.map((e) => e.detail)).toEqual(['no usable access token in the request']);
    }
    // A b64token that is not a JWS is refused by the parser, as before ('+', '/', '=' are b64token characters).
    expect(code(await v.check(bearer('abc.def')))).toBe('JWT_MALFORMED');
    expect(code(await v.check(bearer(`${token(rsa, NOW).slice(0, -2)}+/`)))).toBe('JWT_MALFORMED');
    expect(code(await v.check(bearer(`${token(rsa, NOW - 4000)}=`)))).toBe('JWT_MALFORMED');
    expect(code(await v.check(bearer(`${none}.${b64('{}')}.`)))).toBe('JWT_ALG_NOT_ALLOWED');
  });

  it('keeps the DPoP answers of a token that is no b64token', async () => {
    const v = verifier(cryptoBackend, { dpop: { externalUrl: API } });
    const challenge = (verdict: JwtVerdict) =>
      verdict.ok ? undefined : verdict.reply.headers.find(([n]) => n === 'www-authenticate')?.[1];
    const bad = `${b64('{"alg":"none"}')}.not base64!.x`;
    const required = await v.check(bearer(bad), createJwtAuthorizer({ dpop: 'required' }));
    expect(code(required)).toBe('JWT_MALFORMED');
    expect(challenge(required)).toMatch(/^DPoP /);
    const viaDpop = await v.check(
      dpopRequest('GET', '/orders', bad, 'x.y.z'),
      createJwtAuthorizer({ dpop: 'allowed' }),
    );
    expect(code(viaDpop)).toBe('JWT_MALFORMED');
  });
});

describe('node base64url decoding: the round trip of long parts', () => {
  it('decodes long parts (RSA signatures and longer) exactly like the strict portable decoder', () => {
    const canonical = fc
      .uint8Array({ minLength: 190, maxLength: 700 })
      .map((b) => Buffer.from(b).toString('base64url'));
    // One character changed, added or dropped: an alphabet character (maybe leaving unused bits set), a
    // standard-alphabet one, padding, a space, a non-ASCII one.
    const mutated = fc
      .tuple(
        canonical,
        fc.nat(),
        fc.constantFrom('A', 'B', 'Q', 'g', '_', '-', '+', '/', '=', ' ', '.', 'é', ''),
      )
      .map(([s, i, c]) => {
        const at = i % s.length;
        return i % 3 === 0 ? s.slice(0, at) + c + s.slice(at) : s.slice(0, at) + c + s.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(canonical, mutated), (s) => {
        const node = cryptoBackend.decode(s);
        const portable = decodeBase64Url(s);
        expect(node === undefined ? undefined : [...node]).toEqual(
          portable === undefined ? undefined : [...portable],
        );
        expect(cryptoBackend.decodeText(s)).toBe(decodeBase64UrlText(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes claims to text exactly when they are UTF-8, a genuine U+FFFD included', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const cases = [
      [0xef, 0xbf, 0xbd], // U+FFFD itself: valid
      [0xe2, 0x9c, 0x93], // ✓
      [0xf0, 0x9f, 0x98, 0x80], // an astral character
      [0xc0, 0xaf], // overlong '/'
      [0xe0, 0x80, 0xaf], // overlong, three bytes
      [0xed, 0xa0, 0x80], // a surrogate
      [0xe2, 0x82], // truncated
      [0x80], // a lone continuation byte
      [0xf5, 0x80, 0x80, 0x80], // past U+10FFFF
      [0xff],
      [0xef, 0xbf, 0xbd, 0xff], // U+FFFD, then a bad byte
    ];
    for (const bytes of cases) {
      const part = Buffer.from([0x7b, 0x22, ...bytes, 0x22, 0x7d]).toString('base64url');
      let expected: string | undefined;
      try {
        expected = fatal.decode(Buffer.from(part, 'base64url'));
      } catch {
        expected = undefined;
      }
      expect({ bytes, text: cryptoBackend.decodeText(part) }).toEqual({ bytes, text: expected });
    }
  });

  it('decodes parts longer than the scratch buffer', () => {
    const text = JSON.stringify({ big: 'x'.repeat(9000), u: 'é✓' });
    expect(cryptoBackend.decodeText(b64(text))).toBe(text);
    expect(cryptoBackend.decodeText(`${b64(text)}=`)).toBeUndefined();
  });
});

describe('the steps that wait (WebCrypto back end, revocation store) give the same answers', () => {
  it('verifies, caches, refuses lookalikes and expired tokens, and consults revocation through promises', async () => {
    const revocation = createMemoryRevocationStore();
    const v = verifier(webBackend, { cache: true, revocation });
    const good = token(rsa, NOW);
    const [h, p, s] = good.split('.') as [string, string, string];
    const first = await v.verifyToken(good);
    expect(code(first)).toBe(null);
    const hit = await v.check(bearer(good));
    expect(code(hit)).toBe(null);
    expect(hit.ok && hit.value).toBe(first.ok && first.value); // the cached claims
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(code(await v.verifyToken(`${h}.${b64(JSON.stringify({ ...payload, sub: 'admin' }))}.${s}`))).toBe(
      'JWT_SIGNATURE_INVALID',
    );
    expect(code(await v.verifyToken(token(rsa, NOW - 4000)))).toBe('JWT_EXPIRED');
    expect(code(await v.check(bearer(`${b64('{"alg":"none"}')}.not base64!.x`)))).toBe('JWT_MALFORMED');
    await v.revoke((first as { value: Record<string, unknown> }).value);
    expect(code(await v.verifyToken(good))).toBe('JWT_REVOKED');
  });
});
