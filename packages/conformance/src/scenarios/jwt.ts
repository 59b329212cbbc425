import { createJwtVerifier, createMemoryRevocationStore, type JwtVerifier } from '@bulwark/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AdapterHarness, AppSpec, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { bearer, call, type HttpResult } from '../http.js';
import {
  AUDIENCE,
  hmacWithPublicKey,
  ISSUER,
  makeTestKeys,
  mint,
  type TestKeys,
  unsigned,
  validClaims,
} from '../keys.js';

/** The JWT policy every adapter is configured with. */
export function jwtSpec(keys: TestKeys): NonNullable<AppSpec['jwt']> {
  return {
    algorithms: ['RS256', 'ES256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: [keys.rsa.publicJwk, keys.ec.publicJwk],
  };
}

function expectDenied(res: HttpResult, status: number, code: string, token?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as { code: string; status: number };
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  if (token !== undefined) {
    // Neither the token nor any of its parts may be echoed back.
    for (const part of token.split('.').filter((p) => p.length > 8)) expect(res.text).not.toContain(part);
  }
}

/**
 * Bearer-JWT scenarios: every adapter must answer these identically.
 */
export function jwtScenarios(harness: AdapterHarness, extend: (spec: AppSpec) => AppSpec = (s) => s): void {
  scenarioGroup(harness, 'jwt', 'JWT', () => {
    let keys: TestKeys;
    let app: RunningApp;

    beforeAll(async () => {
      keys = await makeTestKeys();
      app = await harness.start(extend({ jwt: jwtSpec(keys) }));
    });
    afterAll(async () => {
      await app?.close();
    });

    it('accepts a valid RS256 token and hands the claims to the route', async () => {
      const res = await call(app.url, '/me', { headers: bearer(await mint(keys, { alg: 'RS256' })) });
      expect(res.status).toBe(200);
      expect((res.json() as { claims: { sub: string; iss: string } }).claims).toMatchObject({
        sub: 'user-123',
        iss: ISSUER,
      });
    });

    it('accepts a valid ES256 token', async () => {
      const res = await call(app.url, '/me', { headers: bearer(await mint(keys, { alg: 'ES256' })) });
      expect(res.status).toBe(200);
      expect((res.json() as { claims: { sub: string } }).claims.sub).toBe('user-123');
    });

    it('leaves unprotected routes alone', async () => {
      const res = await call(app.url, '/health');
      expect(res.status).toBe(200);
    });

    it('refuses a request without a token: 401 with a bare Bearer challenge', async () => {
      const res = await call(app.url, '/me');
      expectDenied(res, 401, 'JWT_MISSING');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('refuses a malformed token with invalid_token', async () => {
      const res = await call(app.url, '/me', { headers: bearer('not.a.jwt') });
      expectDenied(res, 401, 'JWT_MALFORMED');
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s', async (alg) => {
      const token = unsigned(validClaims(), alg);
      expectDenied(await call(app.url, '/me', { headers: bearer(token) }), 401, 'JWT_ALG_NOT_ALLOWED', token);
    });

    it('refuses HS256 signed with the RSA public key as the HMAC secret', async () => {
      const token = await hmacWithPublicKey(keys.rsa.publicPem, validClaims());
      expectDenied(await call(app.url, '/me', { headers: bearer(token) }), 401, 'JWT_ALG_NOT_ALLOWED', token);
    });

    it('refuses a token for another audience', async () => {
      const token = await mint(keys, { audience: 'https://other-api.test' });
      expectDenied(
        await call(app.url, '/me', { headers: bearer(token) }),
        401,
        'JWT_AUDIENCE_MISMATCH',
        token,
      );
    });

    it('refuses a token from another issuer', async () => {
      const token = await mint(keys, { issuer: 'https://evil.test/' });
      expectDenied(await call(app.url, '/me', { headers: bearer(token) }), 401, 'JWT_ISSUER_MISMATCH', token);
    });

    it('refuses an expired token (beyond the clock tolerance)', async () => {
      const token = await mint(keys, { expiresIn: -60 });
      const res = await call(app.url, '/me', { headers: bearer(token) });
      expectDenied(res, 401, 'JWT_EXPIRED', token);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('refuses a token that is not valid yet', async () => {
      const token = await mint(keys, { notBefore: 600 });
      expectDenied(await call(app.url, '/me', { headers: bearer(token) }), 401, 'JWT_NOT_YET_VALID', token);
    });

    it('refuses a token whose signature was tampered with', async () => {
      const token = await mint(keys);
      const [h, p] = token.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...validClaims(), sub: 'admin' })).toString('base64url')}.${token.split('.')[2]}`;
      expect(p).not.toBe(forged.split('.')[1]);
      expectDenied(
        await call(app.url, '/me', { headers: bearer(forged) }),
        401,
        'JWT_SIGNATURE_INVALID',
        forged,
      );
    });

    it('refuses a token signed by a key it does not know', async () => {
      const token = await mint(keys, { kid: 'unknown-kid' });
      expectDenied(await call(app.url, '/me', { headers: bearer(token) }), 401, 'JWT_KEY_NOT_FOUND', token);
    });

    it('answers two Authorization headers with 400 invalid_request', async () => {
      const good = await mint(keys);
      const res = await call(app.url, '/me', {
        headers: ['authorization', `Bearer ${good}`, 'authorization', 'Bearer x.y.z'],
      });
      expectDenied(res, 400, 'JWT_INVALID_REQUEST', good);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_request"');
    });

    it('refuses an access token in the query string', async () => {
      const token = await mint(keys);
      expectDenied(await call(app.url, `/me?access_token=${token}`), 400, 'JWT_TOKEN_IN_QUERY', token);
    });

    // GET /maybe: requireJwt(jwt, { optional: true }), answering { claims: <claims> | null }.
    it('optional route: a request without credentials goes on anonymously, with no claims', async () => {
      const res = await call(app.url, '/maybe');
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ claims: null });
    });

    it('optional route: a valid token is verified and its claims handed over', async () => {
      const res = await call(app.url, '/maybe', { headers: bearer(await mint(keys)) });
      expect(res.status).toBe(200);
      expect((res.json() as { claims: { sub: string } }).claims.sub).toBe('user-123');
    });

    it('optional route: bad credentials are refused 401, never taken for none', async () => {
      const expired = await mint(keys, { expiresIn: -120 });
      expectDenied(await call(app.url, '/maybe', { headers: bearer(expired) }), 401, 'JWT_EXPIRED', expired);
      const good = await mint(keys);
      const forged = `${good.slice(0, good.lastIndexOf('.') + 1)}${'A'.repeat(342)}`;
      expect((await call(app.url, '/maybe', { headers: bearer(forged) })).status).toBe(401);
      // An empty value is bad credentials too, where it reaches the app at all (see dropsEmptyHeaderValues).
      const bad = ['Bearer not-a-jwt', 'Basic dXNlcjpwYXNz', 'Bearer'];
      for (const authorization of harness.dropsEmptyHeaderValues === undefined ? [...bad, ''] : bad) {
        const res = await call(app.url, '/maybe', { headers: { authorization } });
        expect(res.status, JSON.stringify(authorization)).toBe(401);
      }
      const token = await mint(keys);
      expectDenied(await call(app.url, `/maybe?access_token=${token}`), 400, 'JWT_TOKEN_IN_QUERY', token);
    });
  });

  scenarioGroup(harness, 'jwt.scopes', 'JWT scopes and token type', () => {
    let keys: TestKeys;
    let app: RunningApp;

    beforeAll(async () => {
      keys = await makeTestKeys();
      app = await harness.start(extend({ jwt: { ...jwtSpec(keys), typ: 'at+jwt', cache: true } }));
    });
    afterAll(async () => {
      await app?.close();
    });

    it('lets a token with the route scope through', async () => {
      const res = await call(app.url, '/orders', { headers: bearer(await mint(keys)) });
      expect(res.status).toBe(200);
    });

    it('answers 403 insufficient_scope when the token is valid but lacks the scope', async () => {
      const token = await mint(keys);
      const res = await call(app.url, '/admin', { headers: bearer(token) });
      expectDenied(res, 403, 'JWT_INSUFFICIENT_SCOPE', token);
      expect(res.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="admin"');
      const admin = await mint(keys, { claims: { scope: 'orders:read admin' } });
      expect((await call(app.url, '/admin', { headers: bearer(admin) })).status).toBe(200);
    });

    it('still answers 401 (not 403) for a bad token on a scoped route', async () => {
      const token = await mint(keys, { expiresIn: -60 });
      expectDenied(await call(app.url, '/admin', { headers: bearer(token) }), 401, 'JWT_EXPIRED', token);
    });

    it('refuses an ID token (typ JWT) presented as an access token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ nonce: 'n', sub: 'user-123' })
        .setProtectedHeader({ alg: 'RS256', kid: keys.rsa.publicJwk.kid!, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(keys.rsa.privateKey);
      expectDenied(
        await call(app.url, '/me', { headers: bearer(idToken) }),
        401,
        'JWT_TYPE_INVALID',
        idToken,
      );
    });

    it('refuses a token whose lifetime exceeds an hour', async () => {
      const token = await mint(keys, { expiresIn: 24 * 3600 });
      expectDenied(
        await call(app.url, '/me', { headers: bearer(token) }),
        401,
        'JWT_LIFETIME_TOO_LONG',
        token,
      );
    });
  });

  // The test revokes through the verifier object the app was built with: it shares memory with the app.
  scenarioGroup(harness, 'jwt.revocation', 'JWT revocation', () => {
    let keys: TestKeys;
    let app: RunningApp;
    let verifier: JwtVerifier;

    beforeAll(async () => {
      keys = await makeTestKeys();
      // One verifier object shared by every route of the app, so a revocation is seen by all of them.
      verifier = createJwtVerifier({
        ...jwtSpec(keys),
        typ: 'at+jwt',
        revocation: createMemoryRevocationStore(),
        cache: true,
      });
      app = await harness.start(extend({ jwt: verifier }));
    });
    afterAll(async () => {
      await app?.close();
    });

    it('refuses a revoked token on the very next request, even though it was cached', async () => {
      const token = await mint(keys);
      const first = await call(app.url, '/me', { headers: bearer(token) });
      expect(first.status).toBe(200);
      expect((await call(app.url, '/me', { headers: bearer(token) })).status).toBe(200);
      await verifier.revoke((first.json() as { claims: Record<string, unknown> }).claims);
      const res = await call(app.url, '/me', { headers: bearer(token) });
      expectDenied(res, 401, 'JWT_REVOKED', token);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect((await call(app.url, '/me', { headers: bearer(await mint(keys)) })).status).toBe(200);
    });
  });

  scenarioGroup(harness, 'jwt.jwks-rotation', 'JWT with a rotating JWKS', () => {
    let app: RunningApp;
    let published: JWK[] = [];
    let fetches = 0;
    const jwks = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    const pairs: { privateKey: CryptoKey; jwk: JWK }[] = [];

    async function sign(i: number): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ scope: 'orders:read' })
        .setProtectedHeader({ alg: 'RS256', kid: pairs[i]!.jwk.kid!, typ: 'at+jwt' })
        .setSubject('user-123')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setJti(crypto.randomUUID())
        .setExpirationTime(now + 300)
        .sign(pairs[i]!.privateKey);
    }

    beforeAll(async () => {
      for (const kid of ['rot-1', 'rot-2']) {
        const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
        pairs.push({ privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } });
      }
      published = [pairs[0]!.jwk];
      await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
      app = await harness.start(
        extend({
          jwt: {
            algorithms: ['RS256'],
            issuer: ISSUER,
            audience: AUDIENCE,
            jwksUri: url,
            // Real time here: the shortest cooldown (1 s) and a 50 ms cache, so the rotation is seen
            // within the test.
            jwks: { cooldownMs: 1_000, cacheMaxAgeMs: 50 },
          },
        }),
      );
    });
    afterAll(async () => {
      await app?.close();
      jwks.closeAllConnections();
      await new Promise<void>((r) => jwks.close(() => r()));
    });

    it('keeps old tokens working while their key is published, accepts the new key at once, drops a removed key', async () => {
      const old = await sign(0);
      expect((await call(app.url, '/me', { headers: bearer(old) })).status).toBe(200);
      // Rotation: the IdP publishes rot-2 next to rot-1 and signs new tokens with rot-2 (after the cooldown
      // that follows the first fetch, so the unknown kid may trigger a refresh).
      published = [pairs[0]!.jwk, pairs[1]!.jwk];
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await call(app.url, '/me', { headers: bearer(await sign(1)) })).status).toBe(200);
      expect((await call(app.url, '/me', { headers: bearer(old) })).status).toBe(200);
      // rot-1 is withdrawn: once the cache refreshes (in the background), its tokens fail.
      published = [pairs[1]!.jwk];
      let res = await call(app.url, '/me', { headers: bearer(old) });
      for (let i = 0; i < 50 && res.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 60));
        res = await call(app.url, '/me', { headers: bearer(old) });
      }
      expectDenied(res, 401, 'JWT_KEY_NOT_FOUND', old);
      expect((await call(app.url, '/me', { headers: bearer(await sign(1)) })).status).toBe(200);
      expect(fetches).toBeGreaterThanOrEqual(3);
    });
  });
}
