import { call } from '@bulwark/conformance';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { BulwarkDenial, bulwark, cors, rateLimit, securityHeaders } from '../src/index.js';
import { DIRECT_HEADER_WRITES } from '@bulwark/core/node';

const ORIGIN = 'https://app.example.com';
const CORS = { origins: [ORIGIN] };
// A clock that stands still: the apps compared below answer the same requests some time apart, and the
// RateLimit `t`, Retry-After and reset they send count seconds from each request's own time. On a loaded
// machine a request of one app landed a second later (relative to its bucket) than the same request of the
// other (t=15 against t=14); with one fixed time both must send the same seconds, to the byte.
const FIXED_NOW = Date.UTC(2026, 0, 1);
const LIMIT = { rate: '4/min', now: () => FIXED_NOW } as const;

/** Status, headers (in the order sent, without the per-response date and connection fields) and body. */
type Answer = { status: number; headers: [string, string][]; body: string };

async function answer(url: string, path: string, init: Parameters<typeof call>[2] = {}): Promise<Answer> {
  const res = await call(url, path, init);
  const headers = Object.entries(res.headers)
    .filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))
    .map(([name, value]) => [name, String(value)] as [string, string]);
  return { status: res.status, headers, body: res.text };
}

/** One round of requests every app below answers: allowed, other origin, preflights, 404, bad URL, over the limit. */
const ROUND: [string, Parameters<typeof call>[2]][] = [
  ['/data', { headers: { origin: ORIGIN } }],
  ['/data', { headers: { origin: 'https://other.example', authorization: 'Bearer x' } }],
  ['/data', { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'PUT' } }],
  [
    '/data',
    {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    },
  ],
  ['/missing', {}],
  ['/data', { headers: { origin: ORIGIN } }],
  ['/data', {}],
  ['/data', { headers: { origin: ORIGIN } }],
];

describe('fastify: the plugin runs headers, CORS and its rate limit as one onRequest hook', () => {
  let apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.map((a) => a.close()));
    apps = [];
  });

  /** An app with the three rules, as plugin options or as three hooks; it logs what the error pipeline sees. */
  async function build(combined: boolean, seen: string[]): Promise<FastifyInstance> {
    const app = Fastify();
    apps.push(app);
    app.addHook('onError', async (_request, _reply, error) => {
      seen.push(`onError ${(error as { code?: string }).code}`);
    });
    // Options objects of their own: the same object would count in the same buckets as another app's.
    if (combined) await app.register(bulwark, { cors: CORS, rateLimit: { ...LIMIT } });
    else {
      await app.register(bulwark, { securityHeaders: false });
      app.addHook('onRequest', securityHeaders());
      app.addHook('onRequest', cors(CORS));
      app.addHook('onRequest', rateLimit({ ...LIMIT }));
    }
    app.setErrorHandler((error, _request, reply) => {
      seen.push(`handler ${error instanceof BulwarkDenial} ${(error as { code?: string }).code}`);
      return reply.send(error);
    });
    app.get('/data', async () => ({ data: 1 }));
    return app;
  }

  it('adds one onRequest hook where it added three', async () => {
    const count = async (options: Parameters<typeof bulwark>[1]): Promise<number> => {
      const app = Fastify();
      apps.push(app);
      let hooks = 0;
      const addHook = app.addHook.bind(app);
      app.addHook = ((name: string, hook: never) => {
        if (name === 'onRequest') hooks++;
        return addHook(name as 'onRequest', hook);
      }) as typeof app.addHook;
      await app.register(bulwark, options);
      return hooks;
    };
    expect(await count({ cors: CORS, rateLimit: LIMIT })).toBe(1);
    expect(await count({ cors: CORS })).toBe(1);
    expect(await count({ rateLimit: LIMIT })).toBe(1);
    // A network store answers through a promise: its limit stays an async hook of its own.
    const store = {
      consume: async () => ({ allowed: true, remaining: 1, retryAfterMs: 0, resetAfterMs: 0 }),
    };
    expect(await count({ cors: CORS, rateLimit: { ...LIMIT, store } as never })).toBe(2);
  });

  it('answers every request as the three separate hooks do: status, headers in order, body, error pipeline', async () => {
    const results: { answers: Answer[]; seen: string[] }[] = [];
    for (const combined of [true, false]) {
      const seen: string[] = [];
      const app = await build(combined, seen);
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const answers: Answer[] = [];
      for (const [path, init] of ROUND) answers.push(await answer(url, path, init));
      results.push({ answers, seen });
    }
    const [one, three] = results;
    expect(one!.answers.map((a) => a.status)).toEqual([200, 200, 204, 403, 404, 200, 429, 429]);
    expect(one!.answers).toEqual(three!.answers);
    expect(one!.seen).toEqual(three!.seen);
    expect(one!.seen).toEqual([
      'onError CORS_ORIGIN_DENIED',
      'handler true CORS_ORIGIN_DENIED',
      'onError RATELIMIT_EXCEEDED',
      'handler true RATELIMIT_EXCEEDED',
      'onError RATELIMIT_EXCEEDED',
      'handler true RATELIMIT_EXCEEDED',
    ]);
  });

  it('answers inject() (no server listener ran) as it answers over HTTP', async () => {
    const seen: string[] = [];
    const app = await build(true, seen);
    const injected: Answer[] = [];
    for (const [path, init] of ROUND) {
      const res = await app.inject({
        method: (init?.method ?? 'GET') as 'GET',
        url: path,
        headers: (init?.headers ?? {}) as Record<string, string>,
      });
      const headers = Object.entries(res.headers)
        .filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))
        .map(([name, value]) => [name, String(value)] as [string, string]);
      injected.push({ status: res.statusCode, headers, body: res.body });
    }
    const other = await build(true, []);
    const url = await other.listen({ port: 0, host: '127.0.0.1' });
    const served: Answer[] = [];
    for (const [path, init] of ROUND) served.push(await answer(url, path, init));
    expect(injected).toEqual(served);
  });

  it('keeps its place among the app hooks: after the ones registered before it, before the ones after', async () => {
    const app = Fastify();
    apps.push(app);
    const order: string[] = [];
    app.addHook('onRequest', (request, reply, done) => {
      order.push(`before ${request.method} limit=${reply.getHeader('ratelimit') !== undefined}`);
      done();
    });
    await app.register(bulwark, { cors: CORS, rateLimit: { rate: '1/min' } });
    app.addHook('onRequest', (request, reply, done) => {
      order.push(`after ${request.method} limit=${reply.getHeader('ratelimit') !== undefined}`);
      done();
    });
    app.get('/data', async () => ({ data: 1 }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    expect((await call(url, '/data', { headers: { origin: ORIGIN } })).status).toBe(200);
    // A refused preflight and a request over the limit stop in bulwark's hook.
    const preflight = { origin: 'https://evil.example', 'access-control-request-method': 'GET' };
    expect((await call(url, '/data', { method: 'OPTIONS', headers: preflight })).status).toBe(403);
    expect((await call(url, '/data')).status).toBe(429);
    expect(order).toEqual([
      'before GET limit=false',
      'after GET limit=true',
      'before OPTIONS limit=false',
      'before GET limit=false',
    ]);
  });

  it('counts perRoute buckets by the route pattern, as plugin option and as a route hook', async () => {
    const buckets = [{ name: 'route', rate: '1/min', perRoute: true }];
    const app = Fastify();
    apps.push(app);
    await app.register(bulwark, { rateLimit: { buckets } });
    app.get('/a/:id', async () => ({ ok: true }));
    app.get('/b/:id', async () => ({ ok: true }));
    app.get('/c/:id', { onRequest: rateLimit({ name: 'c', buckets }) }, async () => ({ ok: true }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const statuses: number[] = [];
    for (const path of ['/a/1', '/a/2', '/b/1', '/b/2', '/c/1', '/c/2']) {
      const res = await call(url, path);
      statuses.push(res.status);
      if (res.status === 200) expect(res.headers['ratelimit-policy']).toMatch(/^"route";q=1;w=60/);
    }
    // Per pattern, not per URL: /a/1 and /a/2 share a bucket. /c's own limiter runs after the plugin's.
    expect(statuses).toEqual([200, 429, 200, 429, 200, 429]);
  });
});

describe('fastify: security headers written into the node response', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('uses node’s header table directly here (the pairs were validated once)', () => {
    expect(DIRECT_HEADER_WRITES).toBe(true);
  });

  for (const [label, install] of [
    ['plugin', async (a: FastifyInstance) => a.register(bulwark, { cors: CORS })],
    ['securityHeaders() hook', async (a: FastifyInstance) => a.addHook('onRequest', securityHeaders())],
  ] as const) {
    it(`are the response's own (${label}): a hijacked handler writing the raw response sends them, and the raw API sees them`, async () => {
      app = Fastify();
      await install(app);
      app.get('/raw', (_request, reply) => {
        reply.hijack();
        const raw = reply.raw;
        const seen = {
          csp: raw.getHeader('content-security-policy'),
          has: raw.hasHeader('X-Frame-Options'),
          names: raw.getHeaderNames().includes('strict-transport-security'),
        };
        raw.removeHeader('x-xss-protection');
        raw.appendHeader('x-content-type-options', 'extra');
        raw.writeHead(200, { 'content-type': 'application/json' });
        raw.end(JSON.stringify(seen));
      });
      app.get('/sse', (_request, reply) => {
        reply.hijack();
        reply.raw.setHeader('content-type', 'text/event-stream');
        reply.raw.write('data: 1\n\n');
        reply.raw.end();
      });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const raw = await call(url, '/raw');
      expect(raw.json()).toEqual({
        csp: "default-src 'none'; frame-ancestors 'none'",
        has: true,
        names: true,
      });
      expect(raw.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(raw.headers['x-frame-options']).toBe('DENY');
      expect(raw.headers['x-xss-protection']).toBeUndefined();
      expect(raw.headers['x-content-type-options']).toEqual(['nosniff', 'extra']);
      const sse = await call(url, '/sse');
      expect(sse.headers['content-type']).toBe('text/event-stream');
      expect(sse.headers['strict-transport-security']).toMatch(/^max-age=31536000/);
      expect(sse.headers['permissions-policy']).toBe('camera=(), geolocation=(), microphone=()');
    });
  }

  it('does not share an entry between responses (one handler appending to a header leaves the next alone)', async () => {
    app = Fastify();
    app.addHook('onRequest', securityHeaders());
    app.get('/append', async (_request, reply) => {
      reply.raw.appendHeader('referrer-policy', 'no-referrer');
      return { ok: true };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    for (let i = 0; i < 3; i++) {
      const res = await call(url, '/append');
      expect(res.headers['referrer-policy']).toEqual(['strict-origin-when-cross-origin', 'no-referrer']);
    }
  });

  it('leaves names no header has unset, Object.prototype names included', async () => {
    app = Fastify();
    app.addHook('onRequest', securityHeaders());
    app.get('/names', async (_request, reply) => {
      const raw = reply.raw;
      const before = ['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((n) => raw.getHeader(n));
      raw.setHeader('constructor', 'c');
      raw.setHeader('__proto__', 'p');
      return { before, after: [raw.getHeader('constructor'), raw.getHeader('__proto__')] };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await call(url, '/names');
    expect(res.json()).toEqual({ before: [null, null, null, null], after: ['c', 'p'] });
    expect(res.headers.constructor).toBe('c');
    expect(Object.getOwnPropertyDescriptor(res.headers, '__proto__')?.value).toBe('p');
  });
});
