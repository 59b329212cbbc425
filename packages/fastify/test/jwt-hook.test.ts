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
    // Broken in both of its entry points: check() and the settled check core's jwtCheckNow finds (a rejected
    // promise, or a throw).
    const settled = Symbol.for('bulwark.jwt.checkNow');
    const brokenBy = (reason: unknown): JwtVerifier[] =>
      [
        { ...real, check: () => Promise.reject(reason), [settled]: () => Promise.reject(reason) },
        {
          ...real,
          check: () => Promise.reject(reason),
          [settled]: () => {
            throw reason;
          },
        },
        // A verifier without a settled check (another copy of core): check() alone.
        { ...real, check: () => Promise.reject(reason), [settled]: undefined },
      ] as unknown as JwtVerifier[];
    for (const broken of [...brokenBy(undefined), ...brokenBy(new Error('verifier broke'))]) {
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

  it('goes on or refuses before it returns when the verifier had nothing to wait for, answering as check() does', async () => {
    const keys = await makeTestKeys();
    const jwt = createJwtVerifier(jwtSpec(keys));
    const hidden = Symbol.for('bulwark.jwt.checkNow');
    // The same verifier seen through its promise-returning check() only.
    const promiseOnly = new Proxy(jwt, { get: (t, k) => (k === hidden ? undefined : Reflect.get(t, k)) });
    const tokens: Record<string, string | undefined> = {
      missing: undefined,
      malformed: 'Bearer not.a-valid.token',
      expired: `Bearer ${await mint(keys, { expiresIn: -600 })}`,
      'no scope': `Bearer ${await mint(keys, { claims: { scope: 'profile' } })}`,
      valid: `Bearer ${await mint(keys)}`,
    };
    const answers: {
      answer: Record<string, unknown>;
      errors: string[];
      settledAtOnce: Record<string, boolean>;
    }[] = [];
    for (const verifier of [jwt, promiseOnly]) {
      const app = Fastify();
      await app.register(bulwark, {});
      const errors: string[] = [];
      app.addHook('onError', async (_request, _reply, error) => {
        errors.push((error as { code?: string }).code ?? '?');
      });
      // Called as fastify calls it: with done.
      const hook = requireJwt(verifier, { scopes: ['orders:read'] }) as unknown as (
        ...args: unknown[]
      ) => unknown;
      const settledAtOnce: Record<string, boolean> = {};
      app.get(
        '/orders',
        {
          preHandler: (request, reply, done) => {
            let called = false;
            hook.call(app, request, reply, (err?: Error) => {
              called = true;
              done(err);
            });
            const name = request.headers['x-case'];
            if (typeof name === 'string') settledAtOnce[name] = called;
          },
        },
        async (request) => ({ sub: request.auth?.sub ?? null }),
      );
      const answer: Record<string, unknown> = {};
      // The first verification loads the keys; from then on nothing waits.
      await app.inject({ url: '/orders', headers: { authorization: tokens.valid! } });
      for (const [name, authorization] of Object.entries(tokens)) {
        const res = await app.inject({
          url: '/orders',
          headers: { 'x-case': name, ...(authorization === undefined ? {} : { authorization }) },
        });
        const { date: _date, ...headers } = res.headers;
        answer[name] = { status: res.statusCode, headers, body: res.body };
      }
      answers.push({ answer, errors, settledAtOnce });
      await app.close();
    }
    const [settled, viaPromise] = answers;
    expect(settled!.answer).toEqual(viaPromise!.answer);
    expect(settled!.errors).toEqual(viaPromise!.errors);
    expect(settled!.errors).toEqual([
      'JWT_MISSING',
      'JWT_MALFORMED',
      'JWT_EXPIRED',
      'JWT_INSUFFICIENT_SCOPE',
    ]);
    expect(settled!.settledAtOnce).toEqual({
      missing: true,
      malformed: true,
      expired: true,
      'no scope': true,
      valid: true,
    });
    expect(Object.values(viaPromise!.settledAtOnce)).toEqual([false, false, false, false, false]);
  });
});
