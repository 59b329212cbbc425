import { createServer, type Server } from 'node:http';
import { bearer, call, jwtSpec, makeTestKeys, mint, type TestKeys } from '@bulwark/conformance';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, requireJwt } from '../src/index.js';
import { closeServer, listen } from './harness.js';

// A router-wide requireJwt and a route's own both hold: the route's looser rule never replaces the router's.
describe('express: requireJwt on a router and on its route', () => {
  let keys: TestKeys;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    keys = await makeTestKeys();
    const jwt = createJwtVerifier(jwtSpec(keys));
    const admin = express.Router();
    admin.use(requireJwt(jwt, { scopes: ['admin'] }));
    admin.get('/bare', requireJwt(jwt), (_req, res) => {
      res.json({ ok: true });
    });
    admin.get('/orders', requireJwt(jwt, { scopes: ['orders:read'] }), (_req, res) => {
      res.json({ ok: true });
    });
    const app = express();
    app.use('/admin', admin);
    server = createServer(app);
    url = await listen(server);
  });
  afterAll(async () => {
    await closeServer(server);
  });

  it('needs the router scope and the route scope', async () => {
    const status = async (path: string, scope: string) =>
      (await call(url, path, { headers: bearer(await mint(keys, { claims: { scope } })) })).status;
    expect(await status('/admin/bare', 'orders:read')).toBe(403);
    expect(await status('/admin/bare', 'admin')).toBe(200);
    expect(await status('/admin/orders', 'admin')).toBe(403);
    expect(await status('/admin/orders', 'orders:read')).toBe(403);
    expect(await status('/admin/orders', 'admin orders:read')).toBe(200);
  });
});
