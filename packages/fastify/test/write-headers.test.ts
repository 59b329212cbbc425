import { ServerResponse } from 'node:http';
import { call } from '@bulwark/conformance';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bulwark, cors, rateLimit } from '../src/index.js';

const ORIGIN = 'https://app.example.com';

// writeHeaders itself (now @bulwark/core/node's) is tested in packages/core/src/node/write.test.ts.

describe('fastify: a CORS grant and a rate limit policy written without setHeader', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await app?.close();
  });

  for (const [label, install] of [
    [
      'plugin',
      async (a: FastifyInstance) =>
        a.register(bulwark, { cors: { origins: [ORIGIN] }, rateLimit: { rate: '100/hour' } }),
    ],
    [
      'route hooks',
      async (a: FastifyInstance) => {
        a.addHook('onRequest', cors({ origins: [ORIGIN] }));
        a.addHook('onRequest', rateLimit({ rate: '100/hour' }));
      },
    ],
  ] as const) {
    it(`sends the grant, the policy and the count, Vary merged with the handler's (${label})`, async () => {
      app = Fastify();
      await install(app);
      app.get('/data', async (_request, reply) => {
        reply.header('vary', 'Accept-Encoding');
        return { ok: true };
      });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const set: string[] = [];
      const original = ServerResponse.prototype.setHeader;
      vi.spyOn(ServerResponse.prototype, 'setHeader').mockImplementation(function (
        this: ServerResponse,
        name: string,
        value: number | string | readonly string[],
      ) {
        set.push(name.toLowerCase());
        return original.call(this, name, value);
      });
      for (let i = 0; i < 3; i++) {
        set.length = 0;
        const res = await call(url, '/data', { headers: { origin: ORIGIN } });
        expect(res.status).toBe(200);
        expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
        expect(res.headers['ratelimit-policy']).toBe('"ip";q=100;w=3600');
        // An hour's window refills one request every 36 s, so the count cannot move back between requests (at
        // 100/min a loaded machine saw a refill 0.6 s later); t is the next refill, 36 s (35 past a second).
        expect(res.headers.ratelimit).toMatch(new RegExp(`^"ip";r=${99 - i};t=3[56]$`));
        expect(res.headers.vary).toBe('Accept-Encoding, Origin');
        // The constant pairs went straight into node's table; the count, built per request, was checked.
        expect(set).not.toContain('access-control-allow-origin');
        expect(set).not.toContain('ratelimit-policy');
        expect(set).toContain('ratelimit');
      }
    });
  }
});
