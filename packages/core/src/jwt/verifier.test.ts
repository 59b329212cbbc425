import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpus, type CorpusKeys, corpusKeys, corpusPolicy } from '../../test/jwt-corpus.js';
import { AUDIENCE, HS_SECRET, ISSUER, keyPair, signRaw, token } from '../../test/jwt-fixtures.js';
import { isConfigError, isSecurityError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createMemoryRevocationStore } from '../stores/memory.js';
import type { RevocationStore } from '../stores/types.js';
import { createJwtAuthorizer } from './authorize.js';
import { createJwtVerifier } from './verifier.js';

const NOW = Math.floor(Date.now() / 1000);
const clock = () => NOW * 1000;
let keys: CorpusKeys;
beforeAll(() => {
  keys = corpusKeys();
});

const code = (v: { ok: boolean; error?: { code: string } | undefined }) => (v.ok ? null : v.error!.code);
const req = (authorization: string): RequestLike => ({
  method: 'GET',
  url: '/orders',
  header: (n) => (n === 'authorization' ? authorization : undefined),
});

describe('createJwtVerifier: attack corpus', () => {
  it('answers every corpus case with its expected code', async () => {
    const events: SecurityEvent[] = [];
    const v = createJwtVerifier({ ...corpusPolicy(keys), now: clock, onEvent: (e) => events.push(e) });
    for (const c of corpus(keys, NOW)) {
      const verdict = await v.verifyToken(c.token);
      expect({ name: c.name, code: code(verdict) }).toEqual({ name: c.name, code: c.code });
    }
    // Events carry the reason but never a token part.
    const corpusTokens = corpus(keys, NOW).map((c) => c.token);
    for (const e of events)
      for (const t of corpusTokens) expect(JSON.stringify(e)).not.toContain(t.split('.')[2] || '\u0000');
  });

  it('answers the corpus the same when its accepted headers are already remembered (header memo)', async () => {
    const v = createJwtVerifier({ ...corpusPolicy(keys), now: clock });
    const cases = corpus(keys, NOW);
    // Three passes, the last in reverse: every header a pass accepted is remembered by the next one.
    for (const pass of [cases, cases, [...cases].reverse()]) {
      for (const c of pass) {
        const verdict = await v.verifyToken(c.token);
        expect({ name: c.name, code: code(verdict) }).toEqual({ name: c.name, code: c.code });
      }
    }
  });

  it('refuses alg none before any crypto and without fetching keys', async () => {
    let fetches = 0;
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: 'https://id.invalid/jwks',
      jwks: {
        fetch: async () => {
          fetches++;
          throw new Error('no');
        },
      },
    });
    const t = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    expect(code(await v.verifyToken(t))).toBe('JWT_ALG_NOT_ALLOWED');
    expect(fetches).toBe(0);
  });
});

describe('createJwtVerifier: issuers', () => {
  it('uses each issuer’s own keys: a key of issuer A never verifies a token claiming issuer B', async () => {
    const a = keyPair('RS256', 'k1');
    const b = keyPair('RS256', 'k1');
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      audience: AUDIENCE,
      issuers: [
        { issuer: 'https://a.test/', keys: [a.publicJwk] },
        { issuer: 'https://b.test/', keys: [b.publicJwk] },
      ],
      now: clock,
    });
    expect(code(await v.verifyToken(token(a, NOW, { iss: 'https://a.test/' })))).toBe(null);
    expect(code(await v.verifyToken(token(b, NOW, { iss: 'https://b.test/' })))).toBe(null);
    expect(code(await v.verifyToken(token(a, NOW, { iss: 'https://b.test/' })))).toBe(
      'JWT_SIGNATURE_INVALID',
    );
    expect(code(await v.verifyToken(token(a, NOW, { iss: 'https://c.test/' })))).toBe('JWT_ISSUER_MISMATCH');
    expect(code(await v.verifyToken(token(a, NOW, { iss: ['https://a.test/'] })))).toBe(
      'JWT_ISSUER_MISMATCH',
    );
  });

  it('binds an HMAC secret to its one algorithm and keeps issuers apart', async () => {
    const v = createJwtVerifier({
      algorithms: ['HS256'],
      audience: AUDIENCE,
      issuers: [{ issuer: ISSUER, secret: HS_SECRET }],
      now: clock,
    });
    const header = { alg: 'HS256', typ: 'at+jwt' };
    const claims = { iss: ISSUER, aud: AUDIENCE, exp: NOW + 60 };
    expect(code(await v.verifyToken(signRaw('HS256', HS_SECRET, header, claims)))).toBe(null);
    expect(code(await v.verifyToken(signRaw('HS256', Buffer.alloc(32), header, claims)))).toBe(
      'JWT_SIGNATURE_INVALID',
    );
    expect(code(await v.verifyToken(signRaw('HS384', HS_SECRET, { alg: 'HS384' }, claims)))).toBe(
      'JWT_ALG_NOT_ALLOWED',
    );
  });
});

describe('createJwtVerifier: configuration', () => {
  const base = { algorithms: ['RS256'] as const, issuer: ISSUER, audience: AUDIENCE };
  const fails = (opts: object, option: string) => {
    try {
      createJwtVerifier(opts as never);
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as { option: string }).option).toBe(option);
      return;
    }
    throw new Error(`expected a ConfigError at ${option}`);
  };
  it('refuses unsafe or ambiguous settings at construction', () => {
    const rsa = keyPair('RS256', 'r');
    const { alg: _alg, ...noAlg } = rsa.publicJwk;
    fails({ ...base, algorithms: ['none'], keys: [rsa.publicJwk] }, 'jwt.algorithms[0]');
    fails({ ...base, algorithms: ['RS256', 'HS256'], keys: [rsa.publicJwk] }, 'jwt.algorithms');
    fails({ ...base, algorithms: ['RS256', 'PS256'], keys: [noAlg] }, 'jwt.keys[0]');
    fails({ ...base, algorithms: ['HS256', 'HS512'], secret: HS_SECRET }, 'jwt.algorithms');
    fails({ ...base, algorithms: ['HS256'], secret: 'short' }, 'jwt.secret');
    // A public key pasted as the HMAC secret: anyone holding the public key could sign (alg confusion).
    fails({ ...base, algorithms: ['HS256'], secret: rsa.publicPem }, 'jwt.secret');
    fails({ ...base, algorithms: ['HS256'], secret: Buffer.from(rsa.publicPem) }, 'jwt.secret');
    fails({ ...base, algorithms: ['HS256'], secret: `  ${JSON.stringify(rsa.publicJwk)}` }, 'jwt.secret');
    fails(
      {
        ...base,
        algorithms: ['HS256'],
        issuers: [{ issuer: ISSUER, secret: rsa.publicPem }],
        issuer: undefined,
      },
      'jwt.issuers[0].secret',
    );
    fails({ ...base, jwksUri: 'http://id.example.com/jwks' }, 'jwt.jwksUri');
    fails(
      { ...base, keys: [rsa.publicJwk], issuers: [{ issuer: ISSUER, keys: [rsa.publicJwk] }] },
      'jwt.issuers',
    );
    fails({ ...base, keys: [{ ...rsa.publicJwk, d: 'x' }] }, 'jwt.keys[0]');
    fails({ algorithms: ['RS256'], issuer: ISSUER, keys: [rsa.publicJwk] }, 'jwt.audience');
    fails({ ...base, keys: [rsa.publicJwk], clockToleranceSeconds: 3600 }, 'jwt.clockToleranceSeconds');
    fails({ ...base, keys: [rsa.publicJwk], typ: '' }, 'jwt.typ');
    expect(() => createJwtAuthorizer({ scopes: ['a b'] })).toThrow(/scope token/);
    // The same RSA key without alg is fine when only one algorithm fits it.
    expect(createJwtVerifier({ ...base, keys: [noAlg] }).algorithms).toEqual(['RS256']);
  });
});

describe('createJwtVerifier: claims policy', () => {
  it('applies maxTokenAgeSeconds, maxLifetimeSeconds and requiredClaims', async () => {
    const rsa = keyPair('RS256', 'r');
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      maxTokenAgeSeconds: 60,
      maxLifetimeSeconds: 7200,
      requiredClaims: ['sub', 'tenant'],
      now: clock,
    });
    expect(code(await v.verifyToken(token(rsa, NOW, { tenant: 't' })))).toBe(null);
    expect(code(await v.verifyToken(token(rsa, NOW, {})))).toBe('JWT_CLAIM_INVALID');
    expect(code(await v.verifyToken(token(rsa, NOW, { tenant: 't', iat: NOW - 100 })))).toBe('JWT_EXPIRED');
    expect(code(await v.verifyToken(token(rsa, NOW, { tenant: 't', iat: undefined })))).toBe(
      'JWT_CLAIM_INVALID',
    );
    expect(code(await v.verifyToken(token(rsa, NOW, { tenant: 't', exp: NOW + 7000 })))).toBe(null);
    expect(code(await v.verifyToken(token(rsa, NOW, { tenant: 't', exp: NOW + 7300 })))).toBe(
      'JWT_LIFETIME_TOO_LONG',
    );
  });
});

describe('createJwtVerifier: scopes and predicates', () => {
  it('answers 403 insufficient_scope when the token is valid but not enough', async () => {
    const rsa = keyPair('RS256', 'r');
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      now: clock,
    });
    const read = createJwtAuthorizer({ scopes: ['orders:read'] });
    const write = createJwtAuthorizer({ scopes: ['orders:write'] });
    const acme = createJwtAuthorizer({ claims: (c) => c.tenant === 'acme' });
    const t = `Bearer ${token(rsa, NOW)}`;
    expect(code(await v.check(req(t), read))).toBe(null);
    const denied = await v.check(req(t), write);
    expect(code(denied)).toBe('JWT_INSUFFICIENT_SCOPE');
    expect(!denied.ok && denied.error?.status).toBe(403);
    expect(!denied.ok && Object.fromEntries(denied.reply.headers)['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="orders:write"',
    );
    expect(code(await v.check(req(t), acme))).toBe('JWT_FORBIDDEN');
    expect(code(await v.check(req(`Bearer ${token(rsa, NOW, { tenant: 'acme' })}`), acme))).toBe(null);
    // scp as an array, and as a space-separated string.
    expect(code(v.authorize({ scp: ['orders:write'] }, write))).toBe(null);
    expect(code(v.authorize({ scp: 'a orders:write' }, { scopes: ['orders:write'] }))).toBe(null);
    expect(code(v.authorize({ scope: 'orders:writer' }, write))).toBe('JWT_INSUFFICIENT_SCOPE');
    expect(
      code(
        v.authorize(
          {},
          createJwtAuthorizer({
            claims: () => {
              throw new Error('x');
            },
          }),
        ),
      ),
    ).toBe('JWT_FORBIDDEN');
  });
});

describe('createJwtVerifier: revocation and cache', () => {
  it('refuses a revoked token on the next request, cached or not, and the entry expires with the token', async () => {
    let now = NOW * 1000;
    const store = createMemoryRevocationStore({ now: () => now });
    const rsa = keyPair('RS256', 'r');
    for (const cache of [undefined, true] as const) {
      const v = createJwtVerifier({
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: [rsa.publicJwk],
        revocation: store,
        now: () => now,
        ...(cache ? { cache } : {}),
      });
      const t = token(rsa, NOW);
      const first = await v.verifyToken(t);
      expect(code(first)).toBe(null);
      expect(code(await v.verifyToken(t))).toBe(null);
      await v.revoke(first.ok ? first.value : {});
      expect(code(await v.verifyToken(t))).toBe('JWT_REVOKED');
      expect(code(await v.verifyToken(token(rsa, NOW, { jti: undefined })))).toBe('JWT_CLAIM_INVALID');
    }
    const seen: string[] = [];
    const spy: RevocationStore = {
      revoke: (id, at) => {
        seen.push(`${id}@${at}`);
        return Promise.resolve();
      },
      isRevoked: async () => false,
    };
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      revocation: spy,
      now: clock,
    });
    await v.revoke({ iss: ISSUER, jti: 'j1', exp: NOW + 10 });
    expect(seen).toEqual([`jwt:${ISSUER.length}:${ISSUER}:j1@${(NOW + 15) * 1000}`]);
    now += 400_000;
    expect(await store.isRevoked(`jwt:${ISSUER.length}:${ISSUER}:j1`)).toBe(false);
  });

  it('fails closed when the revocation store fails', async () => {
    const rsa = keyPair('RS256', 'r');
    const broken: RevocationStore = {
      revoke: async () => {},
      isRevoked: () => Promise.reject(new Error('down')),
    };
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      revocation: broken,
      now: clock,
    });
    const verdict = await v.verifyToken(token(rsa, NOW));
    expect(code(verdict)).toBe('JWT_REVOCATION_UNAVAILABLE');
    expect(!verdict.ok && verdict.error?.status).toBe(503);
  });

  it('a cached token is still authorized per route, and never crosses to a verifier of another audience', async () => {
    const rsa = keyPair('RS256', 'r');
    const common = {
      algorithms: ['RS256'] as ['RS256'],
      issuer: ISSUER,
      keys: [rsa.publicJwk],
      cache: true as const,
      now: clock,
    };
    const api = createJwtVerifier({ ...common, audience: AUDIENCE });
    const other = createJwtVerifier({ ...common, audience: 'https://other.test' });
    const t = token(rsa, NOW, { scope: 'orders:read' });
    const reqWith = req(`Bearer ${t}`);
    const open = createJwtAuthorizer();
    const admin = createJwtAuthorizer({ scopes: ['orders:admin'] });
    // Cache the token through an open route, then present it to a route that needs more.
    expect(code(await api.check(reqWith, open))).toBe(null);
    expect(code(await api.check(reqWith, open))).toBe(null);
    expect(code(await api.check(reqWith, admin))).toBe('JWT_INSUFFICIENT_SCOPE');
    expect(code(await other.check(reqWith))).toBe('JWT_AUDIENCE_MISMATCH');
    expect(code(await other.check(reqWith))).toBe('JWT_AUDIENCE_MISMATCH');
  });

  it('hands out frozen claims from the cache, so a handler cannot alter the next request', async () => {
    const rsa = keyPair('RS256', 'r');
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      cache: true,
      now: clock,
    });
    const t = token(rsa, NOW, { roles: ['user'] });
    const first = await v.verifyToken(t);
    const again = await v.verifyToken(t);
    expect(again.ok && again.value).toBe(first.ok && first.value);
    expect(() => {
      (again.ok ? (again.value as Record<string, unknown>) : {}).scope = 'admin';
    }).toThrow(TypeError);
    expect(() => {
      (again.ok ? (again.value.roles as string[]) : []).push('admin');
    }).toThrow(TypeError);
  });

  it('never serves a cached token past its exp', async () => {
    let now = NOW * 1000;
    const rsa = keyPair('RS256', 'r');
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      cache: { maxEntries: 2 },
      now: () => now,
    });
    const t = token(rsa, NOW, { exp: NOW + 30 });
    expect(code(await v.verifyToken(t))).toBe(null);
    now += 29_000;
    expect(code(await v.verifyToken(t))).toBe(null);
    now += 1_000;
    expect(code(await v.verifyToken(t))).toBe(null); // within the 5 s tolerance, verified again
    now += 5_000;
    expect(code(await v.verifyToken(t))).toBe('JWT_EXPIRED');
  });
});

describe('createJwtVerifier: random input (property)', () => {
  it('random strings and bytes only ever produce a typed SecurityError verdict', async () => {
    const rsa = keyPair('RS256', 'r');
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      now: clock,
    });
    const part = fc.oneof(
      fc.base64String(),
      fc.string(),
      fc.uint8Array().map((b) => Buffer.from(b).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
          fc.tuple(part, part, part).map((p) => p.join('.')),
          fc
            .tuple(fc.jsonValue(), fc.jsonValue(), part)
            .map(
              ([h, p, s]) =>
                `${Buffer.from(JSON.stringify(h) ?? '').toString('base64url')}.${Buffer.from(JSON.stringify(p) ?? '').toString('base64url')}.${s}`,
            ),
        ),
        async (t) => {
          const verdict = await v.verifyToken(t);
          expect(verdict.ok).toBe(false);
          expect(!verdict.ok && isSecurityError(verdict.error)).toBe(true);
          expect(!verdict.ok && verdict.error?.code).toMatch(/^JWT_[A-Z_]+$/);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('random Authorization headers and URLs only ever produce a typed SecurityError verdict', async () => {
    const rsa = keyPair('RS256', 'r');
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      now: clock,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.option(
          fc.oneof(
            fc.string(),
            fc.string().map((s) => `Bearer ${s}`),
          ),
          { nil: undefined },
        ),
        fc.string(),
        async (authorization, path) => {
          const verdict = await v.check({
            method: 'GET',
            url: `/${path}`,
            header: (n) => (n === 'authorization' ? authorization : undefined),
          });
          expect(verdict.ok).toBe(false);
          expect(!verdict.ok && isSecurityError(verdict.error)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
