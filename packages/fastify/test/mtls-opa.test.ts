import type { AddressInfo } from 'node:net';
import { createOpaAuthorizer } from '@bulwark/core';
import { mtlsServerOptions } from '@bulwark/core/node';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mtlsPost, type OpaStub, startOpaStub } from '../../core/test/mtls/opa-stub.js';
import { createTestCa, issueTestLeaf, type TestCa, type TestLeaf } from '../../core/test/mtls/pki.js';
import { requireMtls } from '../src/index.js';

// requireMtls with an OPA decision point, through a real TLS handshake, against a local server implementing
// OPA's Data API contract (see opa-stub.ts).
let ca: TestCa;
let billing: TestLeaf;
let web: TestLeaf;
let broken: TestLeaf;
let opa: OpaStub;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  ca = await createTestCa();
  const tls = await issueTestLeaf(ca, {
    server: true,
    uris: ['spiffe://corp.example.com/ns/api/sa/server'],
  });
  billing = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] });
  web = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/web/sa/frontend'] });
  broken = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/broken/sa/x'] });
  opa = await startOpaStub();
  app = Fastify({ https: mtlsServerOptions({ cert: tls.certPem, key: tls.keyPem, ca: ca.certPem }) });
  app.post(
    '/payments',
    {
      onRequest: requireMtls({ decisionPoint: createOpaAuthorizer({ url: opa.url, path: 'bulwark/mtls' }) }),
    },
    async (request) => ({ caller: request.mtls?.spiffeId?.id }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}/payments`;
});

afterAll(async () => {
  await app.close();
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
