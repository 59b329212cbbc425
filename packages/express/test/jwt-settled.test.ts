import { createServer, type Server } from 'node:http';
import { promiseOnly, settledJwtFixture } from '@bulwark/conformance';
import type { JwtVerifier } from '@bulwark/core';
import express, { type RequestHandler } from 'express';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireJwt } from '../src/index.js';
import { closeServer, listen } from './harness.js';

// requireJwt carries out the verifier's settled answer (core's jwtCheckNow) without awaiting check()'s
// promise: a refusal is written, and an allowed request reaches next(), before the middleware returns. Every
// answer is the one a verifier seen through its promise-returning check() gives.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

async function serve(app: express.Express): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  return listen(server);
}

/**
 * An app whose /probe route records, for each request, what the jwt middleware had done when it returned
 * (the response ended? next() called?) and again one microtask later.
 */
function probeApp(jwt: RequestHandler, seen: string[]): express.Express {
  const app = express();
  app.get('/probe', (req, res, next) => {
    let reached = false;
    jwt(req, res, (err?: unknown) => {
      reached = true;
      next(err);
    });
    const state = () =>
      `${res.writableEnded ? `ended ${res.statusCode}` : 'open'}, ${reached ? 'next' : 'no next'}`;
    const returned = state();
    queueMicrotask(() => seen.push(`returned: ${returned}; next tick: ${state()}`));
  });
  app.get('/probe', (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  return app;
}

describe('express requireJwt: a settled check is carried out before the middleware returns', () => {
  let verifier: JwtVerifier;
  let tokens: Readonly<Record<string, string | undefined>>;
  beforeAll(async () => {
    ({ verifier, tokens } = await settledJwtFixture());
  });

  it('writes a refusal, and calls next() for an allowed request, synchronously', async () => {
    const seen: string[] = [];
    const url = await serve(probeApp(requireJwt(verifier, { scopes: ['orders:read'] }), seen));
    const refused = await fetch(`${url}/probe`, { headers: { authorization: tokens.malformed! } });
    expect(refused.status).toBe(401);
    expect((await refused.json()).code).toBe('JWT_MALFORMED');
    const forbidden = await fetch(`${url}/probe`, { headers: { authorization: tokens['no scope']! } });
    expect(forbidden.status).toBe(403);
    const ok = await fetch(`${url}/probe`, { headers: { authorization: tokens.valid! } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: 'user-123' });
    expect(seen).toEqual([
      'returned: ended 401, no next; next tick: ended 401, no next',
      'returned: ended 403, no next; next tick: ended 403, no next',
      // The handler's res.json ended it within next().
      'returned: ended 200, next; next tick: ended 200, next',
    ]);
  });

  it('answers every request as the verifier seen through promises only does', async () => {
    const run = async (v: JwtVerifier) => {
      const app = express();
      app.get('/orders', requireJwt(v, { scopes: ['orders:read'] }), (req, res) => {
        res.json({ sub: req.auth?.sub });
      });
      const url = await serve(app);
      const out = [];
      for (const [name, authorization] of Object.entries(tokens)) {
        for (const method of ['GET', 'HEAD']) {
          const res = await fetch(`${url}/orders`, {
            method,
            headers: authorization === undefined ? {} : { authorization },
          });
          const headers = [...res.headers].filter(([n]) => n !== 'date');
          out.push({ name, method, status: res.status, headers, body: await res.text() });
        }
      }
      return out;
    };
    const settled = await run(verifier);
    expect(settled.filter((r) => r.method === 'GET').map((r) => r.status)).toEqual([
      401, 401, 401, 401, 403, 200,
    ]);
    expect(settled).toEqual(await run(promiseOnly(verifier)));
  });

  it('a verifier that throws or rejects reaches the error handler, never the route', async () => {
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
      const app = express();
      let reached = false;
      const errors: string[] = [];
      app.get('/orders', requireJwt(broken(how)), (_req, res) => {
        reached = true;
        res.send('ok');
      });
      app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        errors.push(err.message);
        res.status(500).send('failed');
      });
      const res = await fetch(`${await serve(app)}/orders`, { headers: { authorization: tokens.valid! } });
      expect(res.status, how).toBe(500);
      expect(errors, how).toEqual(['verifier broke']);
      expect(reached, how).toBe(false);
    }
  });

  it('hands the mTLS peer and the DPoP proof on the request to the verifier, as check() did', async () => {
    const contexts: unknown[] = [];
    const spy = new Proxy(verifier, {
      get: (t, k) => {
        const own = Reflect.get(t, k);
        if (k !== Symbol.for('bulwark.jwt.checkNow') || typeof own !== 'function') return own;
        return (req: unknown, route: unknown, context: unknown) => {
          contexts.push(context);
          return own(req, route, context);
        };
      },
    });
    const app = express();
    const peer = { subject: 'CN=client' };
    app.use((req, _res, next) => {
      (req as unknown as { mtls: unknown }).mtls = peer;
      next();
    });
    app.get('/orders', requireJwt(spy), (_req, res) => {
      res.send('ok');
    });
    const res = await fetch(`${await serve(app)}/orders`, { headers: { authorization: tokens.valid! } });
    expect(res.status).toBe(200);
    expect(contexts).toEqual([{ mtls: peer, dpop: undefined }]);
  });
});
