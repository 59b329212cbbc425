import { createJwtVerifier, type JwtVerifier } from '@bulwark/core';
import { jwtSpec, makeTestKeys, mint } from '@bulwark/conformance';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { BulwarkDenial, bulwark, requireJwt } from '../src/index.js';

describe('fastify requireJwt: a callback-style hook that goes on once the verdict is known', () => {
  it('continues with the claims, refuses through the error pipeline, and answers by hand without done', async () => {
    const keys = await makeTestKeys();
    const jwt = createJwtVerifier(jwtSpec(keys));
    const hook = requireJwt(jwt);
    expect(hook.length).toBe(3);
    const app = Fastify();
    await app.register(bulwark, {});
    const seen: string[] = [];
    app.addHook('onError', async (_request, _reply, error) => {
      if (error instanceof BulwarkDenial) seen.push(error.code);
    });
    app.get('/me', { preHandler: hook }, async (request) => ({ sub: request.auth?.sub ?? null }));
    app.get('/by-hand', async (request, reply) => {
      const answered = await hook(request, reply);
      return { answered: answered !== undefined, sub: request.auth?.sub ?? null };
    });
    const token = await mint(keys);
    const ok = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(ok.json()).toEqual({ sub: 'user-123' });
    const refused = await app.inject({ url: '/me', headers: { authorization: 'Bearer not.a-valid.token' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(seen).toEqual([refused.json().code]);
    const byHand = await app.inject({ url: '/by-hand', headers: { authorization: `Bearer ${token}` } });
    expect(byHand.json()).toEqual({ answered: false, sub: 'user-123' });
    await app.close();
  });

  it('a verifier whose check rejects, even without a reason, never lets the request reach the handler', async () => {
    const keys = await makeTestKeys();
    const real = createJwtVerifier(jwtSpec(keys));
    for (const reason of [undefined, new Error('verifier broke')]) {
      const broken = { ...real, check: () => Promise.reject(reason) } as unknown as JwtVerifier;
      const app = Fastify({ logger: false });
      let ran = false;
      app.get('/me', { preHandler: requireJwt(broken) }, async () => {
        ran = true;
        return { ok: true };
      });
      const res = await app.inject('/me');
      expect(res.statusCode).toBe(500);
      expect(ran).toBe(false);
      await app.close();
    }
  });
});
