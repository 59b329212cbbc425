import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { bulwark, rateLimit } from '../src/index.js';
import { requestOf } from '../src/reply.js';

// One RequestLike per request, shared by its bulwark hooks, rebuilt when a hook in between changes the URL.
describe('fastify: requestOf', () => {
  it('gives every bulwark hook of a request the same RequestLike, and a new one after a URL rewrite', async () => {
    const app = Fastify();
    await app.register(bulwark, {});
    const seen: string[] = [];
    app.get('/a', async (request) => {
      const first = requestOf(request);
      const same = requestOf(request) === first;
      request.raw.url = '/rewritten?x=1';
      const after = requestOf(request);
      seen.push(`${same} ${first.url} ${after === first} ${after.url} ${after.method}`);
      return { ok: true };
    });
    await app.inject({ method: 'GET', url: '/a' });
    expect(seen).toEqual(['true /a false /rewritten?x=1 GET']);
    await app.close();
  });

  it('reports the URL a hook in between rewrote to (the rate limit event path)', async () => {
    const app = Fastify();
    const paths: string[] = [];
    await app.register(bulwark, {
      onEvent: (event) => {
        if (event.type === 'ratelimit.limited') paths.push(String(event.path));
      },
    });
    app.get(
      '/a',
      {
        onRequest: [
          (request, _reply, done) => {
            requestOf(request);
            request.raw.url = '/elsewhere';
            done();
          },
          rateLimit({ rate: '1/min' }),
        ],
      },
      async () => ({ ok: true }),
    );
    await app.inject({ method: 'GET', url: '/a' });
    const res = await app.inject({ method: 'GET', url: '/a' });
    expect(res.statusCode).toBe(429);
    expect(paths).toEqual(['/elsewhere']);
    await app.close();
  });
});
