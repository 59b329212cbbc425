import { call } from '@bulwark/conformance';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulwark } from '../src/index.js';

// fastify-only: the plugin's app-wide limit covers every route, 404s included, counted in onRequest.
describe('fastify: bulwark plugin rateLimit option', () => {
  const app = Fastify();
  let url: string;
  beforeAll(async () => {
    // The limiter's clock stands still: Retry-After counts from the third request's time, and three requests
    // more than a second apart (a loaded machine) made it 29.
    await app.register(bulwark, { rateLimit: { rate: '2/min', now: () => Date.UTC(2026, 0, 1) } });
    app.get('/a', async () => ({ ok: true }));
    app.get('/b/:id', async () => ({ ok: true }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('limits across routes with one per-IP bucket and sends the fields on allowed replies', async () => {
    const first = await call(url, '/a');
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"ip";q=2;w=60');
    expect((await call(url, '/b/1')).status).toBe(200);
    const third = await call(url, '/nope');
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('30');
  });
});
