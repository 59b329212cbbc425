import type { AddressInfo } from 'node:net';
import { mtlsServerOptions } from '@bulwark/core/node';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, it } from 'vitest';
import {
  expectOpaDecisions,
  type OpaFixture,
  opaPolicy,
  startOpaFixture,
} from '../../core/test/mtls/opa-stub.js';
import { requireMtls } from '../src/index.js';

// requireMtls with an OPA decision point, through a real TLS handshake, against a local server implementing
// OPA's Data API contract (see opa-stub.ts).
let f: OpaFixture;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  f = await startOpaFixture();
  const { server } = f;
  app = Fastify({ https: mtlsServerOptions({ cert: server.certPem, key: server.keyPem, ca: f.ca.certPem }) });
  app.post(
    '/payments',
    {
      onRequest: requireMtls(opaPolicy(f)),
    },
    async (request) => ({ caller: request.mtls?.spiffeId?.id }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}/payments`;
});

afterAll(async () => {
  await app.close();
  await f.opa.close();
});

it('allows what OPA allows, 403 for what it denies, 503 when it fails', async () => {
  await expectOpaDecisions(url, f);
});
