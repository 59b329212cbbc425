import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createOpaAuthorizer } from '@bulwark/core';
import { mtlsServerOptions } from '@bulwark/core/node';
import { Controller, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mtlsPost, type OpaStub, startOpaStub } from '../../core/test/mtls/opa-stub.js';
import { createTestCa, issueTestLeaf, type TestCa, type TestLeaf } from '../../core/test/mtls/pki.js';
import { BulwarkModule, MtlsIdentity, type MtlsPeer, RequireMtls } from '../src/index.js';

// @RequireMtls with an OPA decision point, through a real TLS handshake, against a local server implementing
// OPA's Data API contract (see opa-stub.ts): the module's default policy and a route's own, on both platforms.
let ca: TestCa;
let billing: TestLeaf;
let web: TestLeaf;
let broken: TestLeaf;
let opa: OpaStub;
let tls: ReturnType<typeof mtlsServerOptions>;

beforeAll(async () => {
  ca = await createTestCa();
  const server = await issueTestLeaf(ca, {
    server: true,
    uris: ['spiffe://corp.example.com/ns/api/sa/server'],
  });
  billing = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] });
  web = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/web/sa/frontend'] });
  broken = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/broken/sa/x'] });
  opa = await startOpaStub();
  tls = mtlsServerOptions({ cert: server.certPem, key: server.keyPem, ca: ca.certPem });
});

afterAll(async () => {
  await opa?.close();
});

function appModule(): new () => unknown {
  const opaPolicy = () => ({ decisionPoint: createOpaAuthorizer({ url: opa.url, path: 'bulwark/mtls' }) });

  @Controller()
  class PaymentsController {
    @Post('payments')
    @RequireMtls() // the module's default: its decision point
    payments(@MtlsIdentity() peer: MtlsPeer | undefined) {
      return { caller: peer?.spiffeId?.id };
    }

    @Post('refunds')
    @RequireMtls(opaPolicy()) // the route's own decision point
    refunds(@MtlsIdentity() peer: MtlsPeer | undefined) {
      return { caller: peer?.spiffeId?.id };
    }
  }

  @Module({ imports: [BulwarkModule.forRoot({ mtls: opaPolicy() })], controllers: [PaymentsController] })
  class AppModule {}
  return AppModule;
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): @RequireMtls with a decision point`, () => {
    let app: INestApplication;
    let base: string;

    beforeAll(async () => {
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter({ https: tls });
      app = await NestFactory.create(appModule(), adapter, {
        ...((platform === 'express' ? { httpsOptions: tls } : {}) as object),
        logger: false,
        abortOnError: false,
      });
      await app.listen(0, '127.0.0.1');
      base = `https://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await app?.close();
    });

    for (const path of ['/payments', '/refunds']) {
      it(`${path}: allows what OPA allows, 403 for what it denies, 503 when it fails`, async () => {
        const before = opa.asked.length;
        const ok = await mtlsPost(`${base}${path}`, ca, billing);
        expect(ok.status).toBe(201);
        expect(JSON.parse(ok.body)).toEqual({ caller: 'spiffe://corp.example.com/ns/billing/sa/api' });
        const denied = await mtlsPost(`${base}${path}`, ca, web);
        expect(denied.status).toBe(403);
        expect(JSON.parse(denied.body).code).toBe('MTLS_PEER_DENIED');
        const unavailable = await mtlsPost(`${base}${path}`, ca, broken);
        expect(unavailable.status).toBe(503);
        expect(JSON.parse(unavailable.body).code).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
        expect(opa.asked.length - before).toBe(3);
      });
    }
  });
}
