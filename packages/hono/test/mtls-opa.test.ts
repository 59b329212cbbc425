import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mtlsServerOptions } from '@bulwark/core/node';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, it } from 'vitest';
import {
  expectOpaDecisions,
  type OpaFixture,
  opaPolicy,
  startOpaFixture,
} from '../../core/test/mtls/opa-stub.js';
import { type MtlsVariables, requireMtls } from '../src/index.js';

// requireMtls with an OPA decision point, served by @hono/node-server over a real TLS handshake, against a
// local server implementing OPA's Data API contract (see opa-stub.ts).
let f: OpaFixture;
let server: Server;
let url: string;

beforeAll(async () => {
  f = await startOpaFixture();
  const app = new Hono<{ Variables: MtlsVariables }>();
  app.post('/payments', requireMtls(opaPolicy(f)), (c) => c.json({ caller: c.var.mtls.spiffeId?.id }));
  const tls = f.server;
  server = await new Promise<Server>((resolve) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: '127.0.0.1',
        port: 0,
        createServer: createHttpsServer,
        serverOptions: mtlsServerOptions({ cert: tls.certPem, key: tls.keyPem, ca: f.ca.certPem }),
      },
      () => resolve(s as Server),
    );
  });
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/payments`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await f.opa.close();
});

it('allows what OPA allows, 403 for what it denies, 503 when it fails', async () => {
  await expectOpaDecisions(url, f);
});
