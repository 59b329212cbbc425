import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, HS_SECRET, ISSUER, keyPair, signRaw, token } from '../../test/jwt-fixtures.js';
import type { SecurityEvent } from '../events.js';
import { isConfigError } from '../errors.js';
import { createJwtVerifier } from './verifier.js';

// RFC 7515 §4.1.4: kid is a hint. A token with a kid is verified by a key configured without one when
// that key is the only one for the token's algorithm (jose does the same with a single key); a key with
// another kid, or several candidate keys, still refuse, and keys are never tried one after another.

const NOW = Math.floor(Date.now() / 1000);
const clock = () => NOW * 1000;
const code = (v: { ok: boolean; error?: { code: string } | undefined }) => (v.ok ? null : v.error!.code);
const unnamed = (jwk: JWK): JWK => {
  const { kid: _kid, ...rest } = jwk;
  return rest;
};
const base = { issuer: ISSUER, audience: AUDIENCE, now: clock };
const hs = (kid?: string) =>
  signRaw(
    'HS256',
    HS_SECRET,
    { alg: 'HS256', ...(kid ? { kid } : {}) },
    { iss: ISSUER, aud: AUDIENCE, exp: NOW + 60 },
  );

describe('kid as a hint', () => {
  it('a static key without kid verifies tokens that carry any kid, as jose does', async () => {
    const rsa = keyPair('RS256', 'signing-key-2024');
    const v = createJwtVerifier({ ...base, algorithms: ['RS256'], keys: [unnamed(rsa.publicJwk)] });
    const joseKey = await importJWK(unnamed(rsa.publicJwk), 'RS256');
    for (const kid of ['signing-key-2024', 'anything', undefined]) {
      const t = token(rsa, NOW, {}, { kid });
      expect(code(await v.verifyToken(t)), String(kid)).toBe(null);
      await expect(jwtVerify(t, joseKey, { issuer: ISSUER, audience: AUDIENCE })).resolves.toBeDefined();
    }
    // The hint never lends the key to another algorithm, nor a forged signature to it.
    const other = keyPair('RS256', 'x');
    expect(code(await v.verifyToken(token(other, NOW, {}, { kid: 'anything' })))).toBe(
      'JWT_SIGNATURE_INVALID',
    );
  });

  it('applies per algorithm: the one RS256 key next to an ES256 key with a kid', async () => {
    const rsa = keyPair('RS256', 'r');
    const ec = keyPair('ES256', 'e');
    const v = createJwtVerifier({
      ...base,
      algorithms: ['RS256', 'ES256'],
      keys: [unnamed(rsa.publicJwk), ec.publicJwk],
    });
    expect(code(await v.verifyToken(token(rsa, NOW, {}, { kid: 'whatever' })))).toBe(null);
    expect(code(await v.verifyToken(token(ec, NOW)))).toBe(null);
    expect(code(await v.verifyToken(token(ec, NOW, {}, { kid: 'whatever' })))).toBe('JWT_KEY_NOT_FOUND');
  });

  it('refuses when the kid contradicts the key, or when several keys could be meant', async () => {
    const a = keyPair('RS256', 'a');
    const b = keyPair('RS256', 'b');
    const named = createJwtVerifier({ ...base, algorithms: ['RS256'], keys: [a.publicJwk] });
    expect(code(await named.verifyToken(token(a, NOW, {}, { kid: 'b' })))).toBe('JWT_KEY_NOT_FOUND');
    const two = createJwtVerifier({
      ...base,
      algorithms: ['RS256'],
      keys: [unnamed(a.publicJwk), unnamed(b.publicJwk)],
    });
    expect(code(await two.verifyToken(token(b, NOW, {}, { kid: 'b' })))).toBe('JWT_KEY_NOT_FOUND');
    const mixed = createJwtVerifier({
      ...base,
      algorithms: ['RS256'],
      keys: [unnamed(a.publicJwk), b.publicJwk],
    });
    expect(code(await mixed.verifyToken(token(a, NOW, {}, { kid: 'c' })))).toBe('JWT_KEY_NOT_FOUND');
    expect(code(await mixed.verifyToken(token(b, NOW)))).toBe(null);
    // No kid and two keys for the alg: ambiguous, refused rather than tried in turn.
    expect(code(await mixed.verifyToken(token(b, NOW, {}, { kid: undefined })))).toBe('JWT_KEY_NOT_FOUND');
  });

  it('an HMAC secret takes any kid as a hint, or exactly its secretKid', async () => {
    const plain = createJwtVerifier({ ...base, algorithms: ['HS256'], secret: HS_SECRET });
    for (const kid of ['v1', 'v2', undefined]) expect(code(await plain.verifyToken(hs(kid)))).toBe(null);
    const named = createJwtVerifier({ ...base, algorithms: ['HS256'], secret: HS_SECRET, secretKid: 'v2' });
    expect(code(await named.verifyToken(hs('v2')))).toBe(null);
    expect(code(await named.verifyToken(hs()))).toBe(null);
    expect(code(await named.verifyToken(hs('v1')))).toBe('JWT_KEY_NOT_FOUND');
    const perIssuer = createJwtVerifier({
      algorithms: ['HS256'],
      audience: AUDIENCE,
      issuers: [{ issuer: ISSUER, secret: HS_SECRET, secretKid: 'v2' }],
      now: clock,
    });
    expect(code(await perIssuer.verifyToken(hs('v2')))).toBe(null);
    expect(code(await perIssuer.verifyToken(hs('v1')))).toBe('JWT_KEY_NOT_FOUND');
  });

  it('checks secretKid at construction', () => {
    const rsa = keyPair('RS256', 'r');
    for (const [options, path] of [
      [{ algorithms: ['HS256'], secret: HS_SECRET, secretKid: '' }, 'jwt.secretKid'],
      [{ algorithms: ['HS256'], secret: HS_SECRET, secretKid: 'x'.repeat(257) }, 'jwt.secretKid'],
      [{ algorithms: ['RS256'], keys: [rsa.publicJwk], secretKid: 'a' }, 'jwt.secretKid'],
    ] as const) {
      try {
        createJwtVerifier({ ...base, ...options } as never);
        expect.unreachable();
      } catch (e) {
        expect(isConfigError(e)).toBe(true);
        expect((e as { option: string }).option).toBe(path);
      }
    }
  });
});

describe('kid as a hint with a remote JWKS', () => {
  let url = '';
  let fetches = 0;
  let keys: JWK[] = [];
  let close: () => Promise<void>;
  beforeAll(async () => {
    const server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    close = () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    };
  });
  afterAll(() => close());

  it('uses the one unnamed key after the unknown kid got its refresh, and a kid flood stays bounded', async () => {
    const rsa = keyPair('RS256', 'k');
    keys = [unnamed(rsa.publicJwk)];
    fetches = 0;
    const events: SecurityEvent[] = [];
    const v = createJwtVerifier({
      ...base,
      algorithms: ['RS256'],
      jwksUri: url,
      jwks: { cooldownMs: 30_000 },
      onEvent: (e) => events.push(e),
    });
    expect(code(await v.verifyToken(token(rsa, NOW)))).toBe(null);
    const flood = await Promise.all(
      Array.from({ length: 100 }, () => v.verifyToken(token(rsa, NOW, {}, { kid: crypto.randomUUID() }))),
    );
    expect(flood.map(code).every((c) => c === null)).toBe(true);
    expect(fetches).toBeLessThanOrEqual(2);
  });
});
