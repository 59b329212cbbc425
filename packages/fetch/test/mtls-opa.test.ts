import { mtlsServerOptions } from '@bulwark/core/node';
import type { RunningApp } from '@bulwark/conformance';
import { afterAll, beforeAll, it } from 'vitest';
import {
  expectOpaDecisions,
  type OpaFixture,
  opaPolicy,
  startOpaFixture,
} from '../../core/test/mtls/opa-stub.js';
import { protect } from '../src/index.js';
import { serveFetch } from './serve.js';

// protect() with an OPA decision point, served through the node bridge over a real TLS handshake, against a
// local server implementing OPA's Data API contract (see opa-stub.ts).
let f: OpaFixture;
let app: RunningApp;

beforeAll(async () => {
  f = await startOpaFixture();
  const handler = protect(
    async (_request, context) => Response.json({ caller: context.mtls?.spiffeId?.id }),
    {
      mtls: opaPolicy(f),
    },
  );
  const { server } = f;
  app = await serveFetch(
    handler,
    mtlsServerOptions({ cert: server.certPem, key: server.keyPem, ca: f.ca.certPem }),
  );
});

afterAll(async () => {
  await app.close();
  await f.opa.close();
});

it('allows what OPA allows, 403 for what it denies, 503 when it fails', async () => {
  await expectOpaDecisions(`${app.url}/payments`, f);
});
