import { asyncOnly, SPENT_3_PER_MIN, syncPathSides } from '@bulwark/conformance';
import { createMemoryRateLimitStore, type RateLimiterOptions } from '@bulwark/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { BulwarkDenial, bulwark, rateLimit } from '../src/index.js';

type Seen = { onError: string[]; handler: string[] };

/** An app limiting `/limited` (onRequest) and `/user` (preHandler, per subject) with `options`. */
async function build(options: RateLimiterOptions, plugin: boolean, seen: Seen): Promise<FastifyInstance> {
  const app = Fastify();
  if (plugin) {
    await app.register(bulwark, {});
    // The app's own handler and onError hook must still see every denial, whichever path decided it.
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof BulwarkDenial) seen.handler.push(`${error.code} ${error.statusCode}`);
      return reply.send(error);
    });
    app.addHook('onError', async (_request, _reply, error) => {
      seen.onError.push((error as { code?: string }).code ?? '?');
    });
  }
  app.get('/limited', { onRequest: rateLimit(options) }, async () => ({ ok: true }));
  const perUser: RateLimiterOptions = {
    ...options,
    name: 'user',
    buckets: [
      { name: 'ip', rate: '4/min' },
      { name: 'user', key: 'subject', rate: '2/min' },
    ],
  };
  delete (perUser as { rate?: unknown }).rate;
  app.get(
    '/user',
    {
      preHandler: rateLimit(perUser, {
        context: (request) => ({ subject: request.headers['x-user'] as string | undefined }),
      }),
    },
    async () => ({ ok: true }),
  );
  await app.ready();
  return app;
}

const steps: { url: string; headers?: Record<string, string> }[] = [
  ...Array.from({ length: 4 }, () => ({ url: '/limited' })),
  { url: '/user', headers: { 'x-user': 'alice' } },
  { url: '/user', headers: { 'x-user': 'alice' } },
  { url: '/user', headers: { 'x-user': 'alice' } },
  { url: '/user', headers: { 'x-user': 'bob' } },
  { url: '/user' },
  { url: '/user', headers: { 'x-user': 'carol' } },
];

async function run(app: FastifyInstance) {
  const out = [];
  for (const step of steps) {
    const res = await app.inject({ method: 'GET', url: step.url, headers: step.headers ?? {} });
    const { date: _date, ...headers } = res.headers;
    out.push({ status: res.statusCode, headers, body: res.body });
  }
  return out;
}

describe('fastify rateLimit: the memory store (synchronous hook) answers as a promise-only store does', () => {
  for (const plugin of [true, false]) {
    it(`every status, header and body alike, ${plugin ? 'denials through the plugin error pipeline' : 'denials sent directly (no plugin)'}`, async () => {
      const sides = syncPathSides();
      const seenSync: Seen = { onError: [], handler: [] };
      const seenAsync: Seen = { onError: [], handler: [] };
      const sync = await build(sides.limiter('memory', { rate: '3/min' }), plugin, seenSync);
      const promised = await build(sides.limiter('promised', { rate: '3/min' }), plugin, seenAsync);
      try {
        const a = await sides.same((side) => run(side === 'memory' ? sync : promised));
        expect(a.map((r) => r.status)).toEqual([200, 200, 200, 429, 200, 200, 429, 200, 200, 429]);
        expect(a[3]!.headers).toMatchObject(SPENT_3_PER_MIN);
        expect(seenSync).toEqual(seenAsync);
        expect(seenSync.onError).toEqual(
          plugin ? ['RATELIMIT_EXCEEDED', 'RATELIMIT_EXCEEDED', 'RATELIMIT_EXCEEDED'] : [],
        );
        expect(seenSync.handler).toEqual(plugin ? Array(3).fill('RATELIMIT_EXCEEDED 429') : []);
        sides.advance(60_000);
        expect((await sync.inject('/limited')).statusCode).toBe(200);
      } finally {
        await sync.close();
        await promised.close();
      }
    });
  }

  it('on the memory store the hook is callback-style: it continues without returning a promise', async () => {
    const hook = rateLimit({ rate: '1/min' }) as unknown as (...args: unknown[]) => unknown;
    expect(hook.length).toBe(3);
    const promised = rateLimit({ rate: '1/min', store: asyncOnly(createMemoryRateLimitStore()) });
    expect(promised.constructor.name).toBe('AsyncFunction');
    // Called by hand without `done`, it still answers as the async hook does.
    const app = Fastify();
    app.get('/', async (request, reply) => {
      const first = await (hook(request, reply) as Promise<unknown>);
      return { first: first === undefined };
    });
    const res = await app.inject('/');
    expect(res.json()).toEqual({ first: true });
    expect(res.headers.ratelimit).toBe('"ip";r=0;t=60');
    await app.close();
  });
});
