import { bearer, call, jwtSpec, makeTestKeys, mint, type TestKeys } from '@bulwark/conformance';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, requireJwt } from '../src/index.js';

// A scope-wide requireJwt hook and a route's own preHandler both hold: the route's never replaces the scope's.
describe('fastify: requireJwt on a scope and on its route', () => {
  let keys: TestKeys;
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    keys = await makeTestKeys();
    const jwt = createJwtVerifier(jwtSpec(keys));
    app = Fastify();
    await app.register(
      async (scope) => {
        scope.addHook('preHandler', requireJwt(jwt, { scopes: ['admin'] }));
        scope.get('/bare', { preHandler: requireJwt(jwt) }, async () => ({ ok: true }));
        scope.get('/orders', { preHandler: requireJwt(jwt, { scopes: ['orders:read'] }) }, async () => ({
          ok: true,
        }));
      },
      { prefix: '/admin' },
    );
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('needs the scope-wide scope and the route scope', async () => {
    const status = async (path: string, scope: string) =>
      (await call(url, path, { headers: bearer(await mint(keys, { claims: { scope } })) })).status;
    expect(await status('/admin/bare', 'orders:read')).toBe(403);
    expect(await status('/admin/bare', 'admin')).toBe(200);
    expect(await status('/admin/orders', 'admin')).toBe(403);
    expect(await status('/admin/orders', 'orders:read')).toBe(403);
    expect(await status('/admin/orders', 'admin orders:read')).toBe(200);
  });
});
