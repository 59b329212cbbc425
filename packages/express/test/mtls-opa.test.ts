import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mtlsServerOptions } from '@bulwark/core/node';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mtlsPost, type OpaFixture, opaPolicy, startOpaFixture } from '../../core/test/mtls/opa-stub.js';
import { requireMtls } from '../src/index.js';

// requireMtls with an OPA decision point, through a real TLS handshake, against a local server implementing
// OPA's Data API contract (see opa-stub.ts: billing allowed, others denied, `broken` answered 500).
let f: OpaFixture;
let app: Server;
let url: string;

beforeAll(async () => {
  f = await startOpaFixture();
  const { ca, server } = f;
  const expressApp = express();
  expressApp.post('/payments', requireMtls(opaPolicy(f)), (req, res) => {
    res.json({ caller: req.mtls?.spiffeId?.id });
  });
  app = createHttpsServer(
    mtlsServerOptions({ cert: server.certPem, key: server.keyPem, ca: ca.certPem }),
    expressApp,
  );
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(app.address() as AddressInfo).port}/payments`;
});

afterAll(async () => {
  await new Promise((r) => app.close(r));
  await f.opa.close();
});

it('OPA allows the billing workload over mTLS and is asked once per ID, method and path', async () => {
  const first = await mtlsPost(url, f.ca, f.billing);
  expect(first.status, first.body).toBe(200);
  expect(JSON.parse(first.body)).toEqual({ caller: 'spiffe://corp.example.com/ns/billing/sa/api' });
  expect(f.opa.asked).toContainEqual(
    expect.objectContaining({
      peer: expect.objectContaining({ spiffeId: 'spiffe://corp.example.com/ns/billing/sa/api', via: 'tls' }),
      request: { method: 'POST', path: '/payments' },
    }),
  );
  const count = f.opa.asked.length;
  expect((await mtlsPost(url, f.ca, f.billing)).status).toBe(200);
  expect(f.opa.asked).toHaveLength(count);
});

it('OPA denies another workload of the same CA: 403 MTLS_PEER_DENIED', async () => {
  const res = await mtlsPost(url, f.ca, f.web);
  expect(res.status).toBe(403);
  expect(res.type).toContain('application/problem+json');
  expect(JSON.parse(res.body).code).toBe('MTLS_PEER_DENIED');
});

it('OPA failing (HTTP 500) fails closed: 503 MTLS_AUTHORIZER_UNAVAILABLE, nothing of the answer leaked', async () => {
  const res = await mtlsPost(url, f.ca, f.broken);
  expect(res.status).toBe(503);
  expect(JSON.parse(res.body).code).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
  expect(res.body).not.toContain('internal_error');
});
