import { authorizeMemberOf, authorizePathPrefix, certificateThumbprint } from '@bulwark/core';
import { mtlsServerOptions } from '@bulwark/core/node';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestCa, issueTestLeaf, type TestCa, type TestLeaf } from '../../../core/test/mtls/pki.js';
import { type ClientView, tlsAttempt, watchRefusals } from '../../../core/test/mtls/refusal.js';
import type { AdapterHarness, AppSpec, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { makeTestKeys, mint, type TestKeys } from '../keys.js';
import { jwtSpec } from './jwt.js';
import { mtlsRotationScenarios } from './mtls-rotation.js';

/** A test PKI: our CA, another CA, a server certificate and client SVIDs good and bad. */
export interface MtlsPki {
  ca: TestCa;
  server: TestLeaf;
  billing: TestLeaf;
  evil: TestLeaf;
  twoUris: TestLeaf;
  caLeaf: TestLeaf;
  envoy: TestLeaf;
  foreign: TestLeaf;
}

/** Mint a fresh PKI (new keys every run). */
export async function makeMtlsPki(): Promise<MtlsPki> {
  const ca = await createTestCa('CN=corp CA');
  const other = await createTestCa('CN=other CA');
  return {
    ca,
    server: await issueTestLeaf(ca, {
      server: true,
      uris: ['spiffe://corp.example.com/ns/billing/sa/server'],
    }),
    billing: await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] }),
    evil: await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing-evil/sa/api'] }),
    twoUris: await issueTestLeaf(ca, {
      uris: ['spiffe://corp.example.com/ns/web/sa/x', 'spiffe://corp.example.com/ns/billing/sa/api'],
    }),
    caLeaf: await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'], ca: true }),
    envoy: await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/mesh/sa/envoy'] }),
    foreign: await issueTestLeaf(other, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] }),
  };
}

/**
 * The mTLS app spec: HTTPS requiring a client certificate from our CA; `/mtls/billing` allows the billing
 * namespace and trusts no proxy from the test's loopback (so a client-sent XFCC must be ignored and stripped);
 * `/mtls/proxied` trusts loopback as the TLS-terminating proxy and reads the client from XFCC.
 */
export function mtlsSpec(pki: MtlsPki): NonNullable<AppSpec['mtls']> {
  return {
    tls: mtlsServerOptions({ cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem }),
    billing: {
      authorize: authorizePathPrefix('corp.example.com', '/ns/billing'),
      forwardedCertificate: { trustedProxies: ['192.0.2.0/24'] },
    },
    proxied: {
      authorize: authorizeMemberOf('corp.example.com'),
      forwardedCertificate: { trustedProxies: ['loopback'] },
    },
  };
}

interface MtlsResult {
  status: number;
  contentType: string;
  wwwAuthenticate: string | undefined;
  text: string;
}

/** One HTTPS request over a fresh connection presenting `client` (or no certificate). */
export async function mtlsCall(
  base: string,
  path: string,
  pki: MtlsPki,
  client: TestLeaf | undefined,
  headers: Record<string, string> = {},
): Promise<MtlsResult> {
  const dispatcher = new Agent({
    connect: {
      ca: pki.ca.certPem,
      servername: 'localhost',
      ...(client !== undefined ? { cert: client.certPem, key: client.keyPem } : {}),
    },
  });
  try {
    const res = await request(new URL(path, base), { dispatcher, headers });
    const text = await res.body.text();
    const www = res.headers['www-authenticate'];
    return {
      status: res.statusCode,
      contentType: String(res.headers['content-type'] ?? ''),
      wwwAuthenticate: typeof www === 'string' ? www : undefined,
      text,
    };
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

const xfcc = (leaf: TestLeaf): string =>
  `By=spiffe://corp.example.com/ns/app/sa/server;Cert="${encodeURIComponent(leaf.certPem)}"`;

function expectProblem(res: MtlsResult, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(res.text)).toMatchObject({ status, code });
  expect(res.text).not.toContain('spiffe://');
}

/** mTLS scenarios with real TLS handshakes: every adapter must answer these identically. */
export function mtlsScenarios(harness: AdapterHarness): void {
  scenarioGroup(harness, 'mtls', 'mTLS', () => {
    let pki: MtlsPki;
    let keys: TestKeys;
    let app: RunningApp;
    const refusals = watchRefusals();

    /** A refusal seen from both ends, then a good client on the same server: the server was up and chose to refuse. */
    async function refused(client: TestLeaf | undefined): Promise<{ client: ClientView; server: string }> {
      const server = refusals.next();
      const seen = await tlsAttempt(app.url, '/mtls/billing', pki.ca.certPem, client);
      const result = { client: seen, server: await server };
      expect((await mtlsCall(app.url, '/mtls/billing', pki, pki.billing)).status).toBe(200);
      return result;
    }

    beforeAll(async () => {
      pki = await makeMtlsPki();
      keys = await makeTestKeys();
      app = await harness.start({
        jwt: jwtSpec(keys),
        mtls: { ...mtlsSpec(pki), onServer: refusals.attach },
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('serves HTTPS', () => {
      expect(app.url).toMatch(/^https:\/\//);
    });

    it('refuses the handshake without a client certificate (TLS alert certificate_required)', async () => {
      const { client, server } = await refused(undefined);
      expect(client).toEqual({
        serverAuthenticated: true,
        errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
        response: '',
      });
      expect(server).toBe('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
    });

    it('refuses a client certificate from another CA (chain not verified, connection closed unanswered)', async () => {
      const { client, server } = await refused(pki.foreign);
      // node checks the chain after the handshake and destroys the socket: no alert, no HTTP answer
      expect(client.serverAuthenticated).toBe(true);
      expect(client.response).toBe('');
      expect([undefined, 'ECONNRESET']).toContain(client.errorCode);
      expect(server).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });

    it('answers 403 MTLS_PEER_DENIED for a valid certificate with the wrong SPIFFE ID', async () => {
      expectProblem(await mtlsCall(app.url, '/mtls/billing', pki, pki.evil), 403, 'MTLS_PEER_DENIED');
    });

    it('answers 401 MTLS_IDENTITY_INVALID for two URI SANs or a CA certificate as leaf', async () => {
      expectProblem(await mtlsCall(app.url, '/mtls/billing', pki, pki.twoUris), 401, 'MTLS_IDENTITY_INVALID');
      // OpenSSL and node accept a CA certificate as the client leaf (it chains to the trusted CA): refusing
      // it is bulwark's job, so the request must complete and be answered 401.
      expectProblem(await mtlsCall(app.url, '/mtls/billing', pki, pki.caLeaf), 401, 'MTLS_IDENTITY_INVALID');
    });

    it('answers 200 with the identity available to the handler', async () => {
      const res = await mtlsCall(app.url, '/mtls/billing', pki, pki.billing);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({
        peer: 'spiffe://corp.example.com/ns/billing/sa/api',
        via: 'tls',
        xfcc: null,
      });
    });

    it('ignores and strips a forwarded certificate from a peer that is not a trusted proxy', async () => {
      expectProblem(
        await mtlsCall(app.url, '/mtls/billing', pki, pki.evil, {
          'x-forwarded-client-cert': xfcc(pki.billing),
        }),
        403,
        'MTLS_PEER_DENIED',
      );
      const res = await mtlsCall(app.url, '/mtls/billing', pki, pki.billing, {
        'x-forwarded-client-cert': xfcc(pki.evil),
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({
        peer: 'spiffe://corp.example.com/ns/billing/sa/api',
        via: 'tls',
        xfcc: null,
      });
    });

    it('behind a trusted proxy, identifies the client from XFCC, never from the proxy certificate', async () => {
      const res = await mtlsCall(app.url, '/mtls/proxied', pki, pki.envoy, {
        'x-forwarded-client-cert': xfcc(pki.billing),
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({
        peer: 'spiffe://corp.example.com/ns/billing/sa/api',
        via: 'proxy',
      });
      expectProblem(await mtlsCall(app.url, '/mtls/proxied', pki, pki.envoy), 401, 'MTLS_CERT_REQUIRED');
      expectProblem(
        await mtlsCall(app.url, '/mtls/proxied', pki, pki.envoy, {
          'x-forwarded-client-cert': xfcc(pki.twoUris),
        }),
        401,
        'MTLS_IDENTITY_INVALID',
      );
      expectProblem(
        await mtlsCall(app.url, '/mtls/proxied', pki, pki.envoy, { 'x-forwarded-client-cert': 'Cert="junk' }),
        401,
        'MTLS_FORWARDED_CERT_INVALID',
      );
    });

    it('RFC 8705: a certificate-bound token works only with its certificate', async () => {
      const x5t = await certificateThumbprint(pki.billing.der);
      const bound = await mint(keys, { claims: { cnf: { 'x5t#S256': x5t } } });
      const auth = (token: string) => ({ authorization: `Bearer ${token}` });
      const ok = await mtlsCall(app.url, '/mtls/bound', pki, pki.billing, auth(bound));
      expect(ok.text).toBe('{"sub":"user-123"}');
      expect(ok.status).toBe(200);
      // Same token, another valid client certificate: a stolen token is useless without the key.
      const stolen = await mtlsCall(app.url, '/mtls/bound', pki, pki.evil, auth(bound));
      expectProblem(stolen, 401, 'MTLS_TOKEN_BINDING_MISMATCH');
      expect(stolen.wwwAuthenticate).toBe('Bearer error="invalid_token"');
      expect(stolen.text).not.toContain(x5t);
      const unbound = await mtlsCall(app.url, '/mtls/bound', pki, pki.billing, auth(await mint(keys)));
      expectProblem(unbound, 401, 'MTLS_TOKEN_NOT_BOUND');
    });
  });
  mtlsRotationScenarios(harness);
}
