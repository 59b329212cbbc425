import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { mtlsServerOptions } from '@bulwark/core/node';
import { Controller, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  expectOpaDecisions,
  type OpaFixture,
  opaPolicy,
  startOpaFixture,
} from '../../core/test/mtls/opa-stub.js';
import { BulwarkModule, MtlsIdentity, type MtlsPeer, RequireMtls } from '../src/index.js';

// @RequireMtls with an OPA decision point, through a real TLS handshake, against a local server implementing
// OPA's Data API contract (see opa-stub.ts): the module's default policy and a route's own, on both platforms.
let f: OpaFixture;
let tls: ReturnType<typeof mtlsServerOptions>;

beforeAll(async () => {
  f = await startOpaFixture();
  tls = mtlsServerOptions({ cert: f.server.certPem, key: f.server.keyPem, ca: f.ca.certPem });
});

afterAll(async () => {
  await f?.opa.close();
});

function appModule(): new () => unknown {
  @Controller()
  class PaymentsController {
    @Post('payments')
    @RequireMtls() // the module's default: its decision point
    payments(@MtlsIdentity() peer: MtlsPeer | undefined) {
      return { caller: peer?.spiffeId?.id };
    }

    @Post('refunds')
    @RequireMtls(opaPolicy(f)) // the route's own decision point
    refunds(@MtlsIdentity() peer: MtlsPeer | undefined) {
      return { caller: peer?.spiffeId?.id };
    }
  }

  @Module({ imports: [BulwarkModule.forRoot({ mtls: opaPolicy(f) })], controllers: [PaymentsController] })
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
        await expectOpaDecisions(`${base}${path}`, f, 201);
      });
    }
  });
}
