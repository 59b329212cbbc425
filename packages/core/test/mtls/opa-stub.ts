/**
 * For adapter tests of `createOpaAuthorizer` through a real TLS handshake: a local server implementing OPA's
 * Data API contract (the OPA binary is not installable here) and an HTTPS client presenting a certificate.
 * The policy: `POST /v1/data/bulwark/mtls` allows the billing namespace, denies everyone else, and answers
 * 500 for the `broken` namespace.
 */
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createOpaAuthorizer } from '../../src/mtls/opa.js';
import type { MtlsVerifierOptions } from '../../src/mtls/verifier.js';
import { createTestCa, issueTestLeaf, type TestCa, type TestLeaf } from './pki.js';

export interface OpaStub {
  readonly url: string;
  /** The `input` of every call, in order. */
  readonly asked: unknown[];
  close(): Promise<void>;
}

async function startOpaStub(): Promise<OpaStub> {
  const asked: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { input } = JSON.parse(Buffer.concat(chunks).toString()) as {
        input: { peer: { spiffeId: string } };
      };
      asked.push(input);
      if (req.url !== '/v1/data/bulwark/mtls' || input.peer.spiffeId.includes('/ns/broken/')) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"code":"internal_error"}');
        return;
      }
      const allow = input.peer.spiffeId.startsWith('spiffe://corp.example.com/ns/billing/');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: { allow } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** POST over a fresh mTLS connection presenting `client`. */
export function mtlsPost(
  url: string,
  ca: TestCa,
  client: TestLeaf,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: ca.certPem,
        cert: client.certPem,
        key: client.keyPem,
        servername: 'localhost',
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * The time budgets these tests give a decision: OPA's call (`timeoutMs`, default 500 ms) and the verifier's
 * wait (`decisionTimeoutMs`, default 1 s). The defaults are for a sidecar on a quiet host; on a CI machine at
 * load 20-50 the first decision of a process (the first fetch loads undici, on a fresh TLS connection) took
 * longer than 500 ms and came back 503. 10 s is far above that and still well inside the test's 20 s, so a
 * decision wrongly refused (403/503) or never given (503 after 10 s) still fails the test on its status.
 * Failing closed at each timeout is tested in packages/core/src/mtls/opa.test.ts (a hanging OPA, a hanging
 * decision point).
 */
export const DECISION_BUDGET_MS = 10_000;

/** `requireMtls` options: the fixture's OPA as the decision point, with {@link DECISION_BUDGET_MS}. */
export function opaPolicy(f: Pick<OpaFixture, 'opa'>): MtlsVerifierOptions {
  return {
    decisionPoint: createOpaAuthorizer({
      url: f.opa.url,
      path: 'bulwark/mtls',
      timeoutMs: DECISION_BUDGET_MS,
    }),
    decisionTimeoutMs: DECISION_BUDGET_MS,
  };
}

/**
 * What every adapter's decision-point test needs: a CA, the server's leaf, three workloads (billing: OPA
 * allows; web: OPA denies; broken: OPA answers 500) and the running OPA stub.
 */
export interface OpaFixture {
  readonly ca: TestCa;
  readonly server: TestLeaf;
  readonly billing: TestLeaf;
  readonly web: TestLeaf;
  readonly broken: TestLeaf;
  readonly opa: OpaStub;
}

export async function startOpaFixture(): Promise<OpaFixture> {
  const ca = await createTestCa();
  return {
    ca,
    server: await issueTestLeaf(ca, { server: true, uris: ['spiffe://corp.example.com/ns/api/sa/server'] }),
    billing: await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] }),
    web: await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/web/sa/frontend'] }),
    broken: await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/broken/sa/x'] }),
    opa: await startOpaStub(),
  };
}

/**
 * A route answering `{ caller: <SPIFFE ID> }` behind an OPA decision point, at `url`: billing gets `okStatus`
 * (NestJS answers a POST with 201) with its ID, web 403 MTLS_PEER_DENIED, broken 503
 * MTLS_AUTHORIZER_UNAVAILABLE; OPA asked once for each.
 */
export async function expectOpaDecisions(url: string, f: OpaFixture, okStatus = 200): Promise<void> {
  const before = f.opa.asked.length;
  const ok = await mtlsPost(url, f.ca, f.billing);
  expect(ok.status, ok.body).toBe(okStatus);
  expect(JSON.parse(ok.body)).toEqual({ caller: 'spiffe://corp.example.com/ns/billing/sa/api' });
  const denied = await mtlsPost(url, f.ca, f.web);
  expect(denied.status).toBe(403);
  expect(JSON.parse(denied.body).code).toBe('MTLS_PEER_DENIED');
  const unavailable = await mtlsPost(url, f.ca, f.broken);
  expect(unavailable.status).toBe(503);
  expect(JSON.parse(unavailable.body).code).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
  expect(f.opa.asked).toHaveLength(before + 3);
}
