import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import type { Verdict } from '../verdict.js';
import { createTestCa, issueTestLeaf, type TestLeaf } from '../../test/mtls/pki.js';
import { authorizeMemberOf } from './authorize.js';
import { createOpaAuthorizer, type OpaAuthorizerOptions } from './opa.js';
import type { MtlsPeer } from './peer.js';
import { createMtlsVerifier, type MtlsVerifierOptions } from './verifier.js';

/**
 * A local server implementing the documented slice of OPA's Data API (the OPA binary cannot be installed
 * here): `POST /v1/data/<path>` with `{ input }` answers `{ result }`. `answer` decides what it sends.
 */
type Answer =
  | { kind: 'json'; status?: number; body: unknown }
  | { kind: 'raw'; status: number; type: string; text: string }
  | { kind: 'hang' }
  | { kind: 'redirect' };

let server: Server;
let base: string;
let answer: Answer;
let calls: { url: string; body: unknown }[];
let billing: TestLeaf;
let evil: TestLeaf;

beforeAll(async () => {
  const ca = await createTestCa();
  billing = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] });
  evil = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/evil/sa/api'] });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ url: `${req.method} ${req.url}`, body: JSON.parse(Buffer.concat(chunks).toString()) });
      if (answer.kind === 'hang') return; // never answers; the client's timeout must end it
      if (answer.kind === 'redirect') {
        res.writeHead(307, { location: 'http://127.0.0.1:1/v1/data/allow_all' }).end();
        return;
      }
      if (answer.kind === 'raw') {
        res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.text);
        return;
      }
      res
        .writeHead(answer.status ?? 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  calls = [];
  answer = { kind: 'json', body: { result: true } };
});

function req(cert: Uint8Array, url = '/pay?token=secret', method = 'POST'): RequestLike {
  return { method, url, header: () => undefined, remoteAddress: '127.0.0.1', peerCertificate: cert };
}

function verifier(
  opa: Partial<OpaAuthorizerOptions> = {},
  extra: Partial<MtlsVerifierOptions> = {},
): { check: (r: RequestLike) => Promise<Verdict<MtlsPeer>>; events: SecurityEvent[] } {
  const events: SecurityEvent[] = [];
  const v = createMtlsVerifier({
    decisionPoint: createOpaAuthorizer({ url: base, path: 'bulwark/mtls/allow', ...opa }),
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { check: async (r) => v.checkRequest(r), events };
}

function code(verdict: Verdict<MtlsPeer>): string | undefined {
  return verdict.ok ? undefined : verdict.error?.code;
}

describe('createOpaAuthorizer against a local server speaking the Data API contract', () => {
  it('allows on result true, sending the peer identity, method and path (no query) as input', async () => {
    const { check } = verifier();
    const verdict = await check(req(billing.der));
    expect(verdict.ok).toBe(true);
    expect(calls).toEqual([
      {
        url: 'POST /v1/data/bulwark/mtls/allow',
        body: {
          input: {
            peer: {
              spiffeId: 'spiffe://corp.example.com/ns/billing/sa/api',
              trustDomain: 'corp.example.com',
              workloadPath: '/ns/billing/sa/api',
              dnsNames: [],
              subject: null,
              via: 'tls',
            },
            request: { method: 'POST', path: '/pay' },
          },
        },
      },
    ]);
  });

  it('allows on result { allow: true }; denies 403 on false, { allow: false } and any other shape', async () => {
    const cases: [unknown, string | undefined][] = [
      [{ result: { allow: true, reason: 'ok' } }, undefined],
      [{ result: false }, 'MTLS_PEER_DENIED'],
      [{ result: { allow: false } }, 'MTLS_PEER_DENIED'],
      [{ result: 'true' }, 'MTLS_PEER_DENIED'],
      [{ result: 1 }, 'MTLS_PEER_DENIED'],
      [{ result: [true] }, 'MTLS_PEER_DENIED'],
      [{ result: { allow: 'yes' } }, 'MTLS_PEER_DENIED'],
      [{}, 'MTLS_PEER_DENIED'], // OPA's answer when the rule is undefined for this input
    ];
    for (const [body, expected] of cases) {
      answer = { kind: 'json', body };
      const verdict = await verifier({ cacheTtlMs: 0 }).check(req(billing.der));
      expect(code(verdict), JSON.stringify(body)).toBe(expected);
      if (!verdict.ok) expect(verdict.reply.status).toBe(403);
    }
  });

  it('fails closed with 503 MTLS_AUTHORIZER_UNAVAILABLE when OPA does not answer in time', async () => {
    answer = { kind: 'hang' };
    const { check, events } = verifier({ timeoutMs: 50 });
    const verdict = await check(req(billing.der));
    expect(code(verdict)).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
    if (!verdict.ok) {
      expect(verdict.reply.status).toBe(503);
      expect(verdict.reply.body).not.toContain('50 ms');
    }
    expect(events.find((e) => e.type === 'mtls.rejected')?.detail).toContain('no response within 50 ms');
  });

  it('fails closed on HTTP 500, a body that is not JSON, a non-JSON content type and a redirect', async () => {
    const failures: Answer[] = [
      { kind: 'json', status: 500, body: { result: true } },
      { kind: 'raw', status: 200, type: 'application/json', text: '{"result": tru' },
      { kind: 'raw', status: 200, type: 'text/html', text: '{"result": true}' },
      { kind: 'redirect' },
    ];
    for (const failure of failures) {
      answer = failure;
      const verdict = await verifier().check(req(billing.der));
      expect(code(verdict), JSON.stringify(failure)).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
    }
    // Failures are never cached: the next call asks again and OPA's allow is honoured.
    answer = { kind: 'json', body: { result: true } };
    const { check } = verifier();
    answer = { kind: 'json', status: 500, body: {} };
    expect(code(await check(req(billing.der)))).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
    answer = { kind: 'json', body: { result: true } };
    expect((await check(req(billing.der))).ok).toBe(true);
  });

  it('caches a decision per SPIFFE ID, method and path: a hit does not call OPA again', async () => {
    const { check } = verifier();
    expect((await check(req(billing.der))).ok).toBe(true);
    answer = { kind: 'json', body: { result: false } };
    expect((await check(req(billing.der, '/pay?other=1'))).ok).toBe(true); // same ID, method, path: cached
    expect(calls).toHaveLength(1);
    expect(code(await check(req(billing.der, '/admin')))).toBe('MTLS_PEER_DENIED');
    expect(code(await check(req(billing.der, '/pay', 'DELETE')))).toBe('MTLS_PEER_DENIED');
    expect(code(await check(req(evil.der)))).toBe('MTLS_PEER_DENIED');
    expect(calls).toHaveLength(4);
    // cacheTtlMs: 0 asks every time.
    calls = [];
    const uncached = verifier({ cacheTtlMs: 0 });
    await uncached.check(req(billing.der));
    await uncached.check(req(billing.der));
    expect(calls).toHaveLength(2);
  });

  it('keeps at most cacheMaxEntries decisions', async () => {
    const { check } = verifier({ cacheMaxEntries: 2 });
    for (const path of ['/a', '/b', '/c']) await check(req(billing.der, path));
    expect(calls).toHaveLength(3);
    await check(req(billing.der, '/c')); // still cached
    expect(calls).toHaveLength(3);
    await check(req(billing.der, '/a')); // evicted to make room for /c
    expect(calls).toHaveLength(4);
  });

  it('asks OPA only after the synchronous authorize allowed', async () => {
    const { check } = verifier({}, { authorize: authorizeMemberOf('other.example.com') });
    expect(code(await check(req(billing.der)))).toBe('MTLS_PEER_DENIED');
    expect(calls).toHaveLength(0);
  });
});

describe('decision points in the verifier', () => {
  it('fails closed when a decision point rejects, throws or outlives decisionTimeoutMs', async () => {
    const points = [
      () => Promise.reject(new Error('engine down')),
      () => {
        throw new Error('sync throw');
      },
      () => new Promise<boolean>(() => {}),
    ];
    for (const decisionPoint of points) {
      const v = createMtlsVerifier({ decisionPoint, decisionTimeoutMs: 20 });
      const verdict = await v.checkRequest(req(billing.der));
      expect(code(verdict)).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
    }
  });

  it('check() alone refuses with 503 when a decision point is configured (an adapter that cannot wait)', () => {
    const v = createMtlsVerifier({ decisionPoint: async () => true });
    expect(code(v.check(req(billing.der)))).toBe('MTLS_AUTHORIZER_UNAVAILABLE');
  });

  it('without a decision point, checkRequest is synchronous and equals check', () => {
    const v = createMtlsVerifier({ authorize: authorizeMemberOf('corp.example.com') });
    const verdict = v.checkRequest(req(billing.der));
    expect(verdict instanceof Promise).toBe(false);
    expect((verdict as Verdict<MtlsPeer>).ok).toBe(true);
  });

  it('refuses bad options at startup, naming the option', () => {
    const optionOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return err instanceof ConfigError ? err.option : 'not a ConfigError';
      }
      return undefined;
    };
    const opa = (o: Partial<OpaAuthorizerOptions>) => () =>
      createOpaAuthorizer({ url: base, path: 'bulwark/allow', ...o });
    expect(optionOf(opa({ url: 'http://10.0.0.8:8181' }))).toBe('mtls.opa.url');
    expect(optionOf(opa({ url: 'ftp://127.0.0.1' }))).toBe('mtls.opa.url');
    expect(optionOf(opa({ url: `${base}?x=1` }))).toBe('mtls.opa.url');
    expect(optionOf(opa({ path: 'bulwark/../admin' }))).toBe('mtls.opa.path');
    expect(optionOf(opa({ path: '' }))).toBe('mtls.opa.path');
    expect(optionOf(opa({ path: 'a//b' }))).toBe('mtls.opa.path');
    expect(optionOf(opa({ timeoutMs: 0 }))).toBe('mtls.opa.timeoutMs');
    expect(optionOf(opa({ cacheTtlMs: -1 }))).toBe('mtls.opa.cacheTtlMs');
    expect(optionOf(opa({ cacheMaxEntries: 0 }))).toBe('mtls.opa.cacheMaxEntries');
    expect(optionOf(opa({ maxBytes: 1 }))).toBe('mtls.opa.maxBytes');
    expect(optionOf(opa({ ttl: 5 } as never))).toMatch(/^mtls\.opa/);
    expect(optionOf(opa({}))).toBeUndefined();
    expect(optionOf(opa({ path: '/bulwark/allow' }))).toBeUndefined();
    expect(optionOf(() => createMtlsVerifier({ decisionPoint: 'opa' as never }))).toBe('mtls.decisionPoint');
    expect(
      optionOf(() => createMtlsVerifier({ decisionPoint: async () => true, decisionTimeoutMs: 0 })),
    ).toBe('mtls.decisionTimeoutMs');
    expect(
      optionOf(() =>
        createMtlsVerifier({ authorize: authorizeMemberOf('corp.example.com'), decisionTimeoutMs: 500 }),
      ),
    ).toBe('mtls.decisionTimeoutMs');
    expect(
      optionOf(() => createMtlsVerifier({ decisionPoint: async () => true, dangerouslyAllowAnyPeer: true })),
    ).toBe('mtls.dangerouslyAllowAnyPeer');
  });
});
