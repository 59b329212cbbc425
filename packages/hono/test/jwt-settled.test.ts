import { promiseOnly, settledJwtFixture } from '@bulwark/conformance';
import type { JwtVerifier } from '@bulwark/core';
import { Hono, type MiddlewareHandler } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { type JwtVariables, requireJwt } from '../src/index.js';

// requireJwt carries out the verifier's settled answer (core's jwtCheckNow) without awaiting a promise
// first: an allowed request reaches next() before the middleware returns, a refusal's promise is already
// rejected when returned. Every answer is the one a verifier seen through its promise-returning check()
// gives.

/** An app whose /probe route records, for each request, what the jwt middleware had done when it returned. */
function probeApp(jwt: MiddlewareHandler, seen: string[]): Hono<{ Variables: JwtVariables }> {
  const app = new Hono<{ Variables: JwtVariables }>();
  app.use('/probe', (c, next) => {
    let reached = false;
    const answer = jwt(c, async () => {
      reached = true;
      await next();
    });
    const order: string[] = [];
    answer.then(
      () => order.push('settled'),
      () => order.push('rejected'),
    );
    queueMicrotask(() => order.push('tick'));
    queueMicrotask(() => seen.push(`${reached ? 'next called' : 'next not called'}, ${order[0]}`));
    return answer;
  });
  app.get('/probe', (c) => c.json({ sub: c.var.claims?.sub }));
  return app;
}

describe('hono requireJwt: a settled check is carried out without a promise hop', () => {
  let verifier: JwtVerifier;
  let tokens: Readonly<Record<string, string | undefined>>;
  beforeAll(async () => {
    ({ verifier, tokens } = await settledJwtFixture());
  });

  it('calls next() before returning, and returns a refusal already rejected', async () => {
    const seen: string[] = [];
    const app = probeApp(requireJwt(verifier, { scopes: ['orders:read'] }), seen);
    const ok = await app.request('/probe', { headers: { authorization: tokens.valid! } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: 'user-123' });
    const refused = await app.request('/probe', { headers: { authorization: tokens.malformed! } });
    expect(refused.status).toBe(401);
    expect(seen).toEqual(['next called, tick', 'next not called, rejected']);
  });

  it('answers every request as the verifier seen through promises only does', async () => {
    const run = async (v: JwtVerifier) => {
      const app = new Hono();
      app.get('/orders', requireJwt(v, { scopes: ['orders:read'] }), (c) =>
        c.json({ sub: c.var.claims.sub }),
      );
      const out = [];
      for (const [name, authorization] of Object.entries(tokens)) {
        const res = await app.request('/orders', {
          headers: authorization === undefined ? {} : { authorization },
        });
        out.push({ name, status: res.status, headers: [...res.headers], body: await res.text() });
      }
      return out;
    };
    const settled = await run(verifier);
    expect(settled.map((r) => r.status)).toEqual([401, 401, 401, 401, 403, 200]);
    expect(settled).toEqual(await run(promiseOnly(verifier)));
  });

  it('a verifier that throws or rejects never reaches the handler', async () => {
    const broken = (how: 'throw' | 'reject'): JwtVerifier =>
      new Proxy(verifier, {
        get: (t, k) => {
          if (k === Symbol.for('bulwark.jwt.checkNow') || k === 'check') {
            return () => {
              if (how === 'throw') throw new Error('verifier broke');
              return Promise.reject(new Error('verifier broke'));
            };
          }
          return Reflect.get(t, k);
        },
      });
    for (const how of ['throw', 'reject'] as const) {
      const app = new Hono();
      let reached = false;
      const errors: string[] = [];
      app.onError((err, c) => {
        errors.push(err.message);
        return c.text('failed', 500);
      });
      app.get('/orders', requireJwt(broken(how)), (c) => {
        reached = true;
        return c.text('ok');
      });
      const res = await app.request('/orders', { headers: { authorization: tokens.valid! } });
      expect(res.status, how).toBe(500);
      expect(errors, how).toEqual(['verifier broke']);
      expect(reached, how).toBe(false);
    }
  });
});
