import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createOpaAuthorizer } from '@bulwark/core';
import { mtlsServerOptions } from '@bulwark/core/node';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mtlsPost, type OpaStub, startOpaStub } from '../../core/test/mtls/opa-stub.js';
import { createTestCa, issueTestLeaf, type TestCa, type TestLeaf } from '../../core/test/mtls/pki.js';
import { type MtlsVariables, requireMtls } from '../src/index.js';

// requireMtls with an OPA decision point, served by @hono/node-server over a real TLS handshake, against a
// local server implementing OPA's Data API contract (see opa-stub.ts).
let ca: TestCa;
let billing: TestLeaf;
let web: TestLeaf;
let broken: TestLeaf;
let opa: OpaStub;
let server: Server;
let url: string;

beforeAll(async () => {
  ca = await createTestCa();
  const tls = await issueTestLeaf(ca, { server: true, uris: ['spiffe://corp.example.com/ns/api/sa/server'] });
  billing = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] });
  web = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/web/sa/frontend'] });
  broken = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/broken/sa/x'] });
  opa = await startOpaStub();
  const app = new Hono<{ Variables: MtlsVariables }>();
  app.post(
    '/payments',
    requireMtls({ decisionPoint: createOpaAuthorizer({ url: opa.url, path: 'bulwark/mtls' }) }),
    (c) => c.json({ caller: c.var.mtls.spiffeId?.id }),
  );
  server = await new Promise<Server>((resolve) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: '127.0.0.1',
        port: 0,
        createServer: createHttpsServer,
        serverOptions: mtlsServerOptions({ cert: tls.certPem, key: tls.keyPem, ca: ca.certPem }),
      },
      () => resolve(s as Server),
    );
  });
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/payments`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await opa.close();
});

it('allows what OPA allows, 403 for what it denies, 503 when it fails', async () => {
  const ok = await mtlsPost(url, ca, billing);
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body)).toEqual({ caller: 'spiffe://corp.example.com/ns/billing/sa/api' });
  const denied = await mtlsPost(url, ca, web);
  expect(denied.status).toBe(403);
  expect(JSON.parse(denied.body).code).toBe('MTLS_PEER_DENIED');
  const unavailable = await mtlsPost(url, ca, broken);
  expect(unavailable.status).toBe(503);
  expect(JSON.parse(unavailable.body).code).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
  expect(opa.asked).toHaveLength(3);
});
