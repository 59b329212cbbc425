import { beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createTestCa, issueTestLeaf, type TestLeaf } from '../../test/mtls/pki.js';
import { authorizeMemberOf, authorizePathPrefix } from './authorize.js';
import { createMtlsVerifier, type TrustedPeerCheck } from './verifier.js';

let billing: TestLeaf;
let web: TestLeaf;
let twoUris: TestLeaf;
let proxyCert: TestLeaf;

beforeAll(async () => {
  const ca = await createTestCa();
  billing = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] });
  web = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing-evil/sa/web'] });
  twoUris = await issueTestLeaf(ca, {
    uris: ['spiffe://corp.example.com/ns/web/sa/x', 'spiffe://corp.example.com/ns/billing/sa/api'],
  });
  proxyCert = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/envoy'] });
});

function req(
  init: { cert?: Uint8Array; remote?: string; headers?: Record<string, string | string[]> } = {},
): RequestLike {
  const headers = init.headers ?? {};
  return {
    method: 'POST',
    url: '/pay?token=secret',
    header: (n) => {
      const v = headers[n];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    headerValues: (n) => {
      const v = headers[n];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
    remoteAddress: init.remote ?? '127.0.0.1',
    peerCertificate: init.cert,
  };
}

const proxies: TrustedPeerCheck = { isTrustedPeer: (a) => a === '10.0.0.5' };
const xfcc = (leaf: TestLeaf) =>
  `By=spiffe://corp.example.com/ns/app/sa/me;Cert="${encodeURIComponent(leaf.certPem)}"`;

describe('createMtlsVerifier', () => {
  it('allows an authorized peer and exposes its identity', () => {
    const v = createMtlsVerifier({ authorize: authorizePathPrefix('corp.example.com', '/ns/billing') });
    const verdict = v.check(req({ cert: billing.der }));
    expect(verdict.ok).toBe(true);
    if (verdict.ok) {
      expect(verdict.value.spiffeId?.id).toBe('spiffe://corp.example.com/ns/billing/sa/api');
      expect(verdict.value.via).toBe('tls');
      expect(verdict.value.certificate).toBe(billing.der);
    }
  });

  it('401 without a certificate, 401 for unusable identity, 403 with the reason in the event', () => {
    const events: SecurityEvent[] = [];
    const v = createMtlsVerifier({
      authorize: authorizePathPrefix('corp.example.com', '/ns/billing'),
      onEvent: (e) => events.push(e),
    });
    const none = v.check(req());
    expect(!none.ok && [none.error?.status, none.error?.code]).toEqual([401, 'MTLS_CERT_REQUIRED']);
    const two = v.check(req({ cert: twoUris.der }));
    expect(!two.ok && [two.error?.status, two.error?.code]).toEqual([401, 'MTLS_IDENTITY_INVALID']);
    const denied = v.check(req({ cert: web.der }));
    expect(!denied.ok && [denied.error?.status, denied.error?.code]).toEqual([403, 'MTLS_PEER_DENIED']);
    if (!denied.ok) {
      const problem = denied.reply;
      expect(Object.fromEntries(problem.headers)['content-type']).toBe('application/problem+json');
      expect(JSON.parse(problem.body!)).toMatchObject({ status: 403, code: 'MTLS_PEER_DENIED' });
      expect(problem.body).not.toContain('billing-evil');
    }
    expect(events).toEqual([
      expect.objectContaining({
        type: 'mtls.rejected',
        code: 'MTLS_CERT_REQUIRED',
        method: 'POST',
        path: '/pay',
      }),
      expect.objectContaining({ code: 'MTLS_IDENTITY_INVALID', detail: expect.stringMatching(/2 URI SANs/) }),
      expect.objectContaining({
        code: 'MTLS_PEER_DENIED',
        detail:
          'spiffe://corp.example.com/ns/billing-evil/sa/web is not under /ns/billing in corp.example.com',
        data: { via: 'tls', spiffeId: 'spiffe://corp.example.com/ns/billing-evil/sa/web' },
      }),
    ]);
  });

  it('accepts DNS SAN and subject identities only when opted in, with matching policies', async () => {
    const ca = await createTestCa();
    const legacy = await issueTestLeaf(ca, {
      dnsNames: ['billing.internal.example.com'],
      subject: 'CN=billing, O=Corp',
    });
    const strict = createMtlsVerifier({ authorize: { dnsNames: ['billing.internal.example.com'] } });
    const refused = strict.check(req({ cert: legacy.der }));
    expect(!refused.ok && refused.error?.code).toBe('MTLS_IDENTITY_INVALID');
    const dns = createMtlsVerifier({
      acceptDnsNames: true,
      authorize: { dnsNames: ['billing.internal.example.com'] },
    });
    const viaDns = dns.check(req({ cert: legacy.der }));
    expect(viaDns.ok && viaDns.value.dnsNames).toEqual(['billing.internal.example.com']);
    expect(viaDns.ok && viaDns.value.spiffeId).toBeUndefined();
    const subject = createMtlsVerifier({
      acceptSubject: true,
      authorize: { subjects: ['O=Corp,CN=billing'] },
    });
    expect(subject.check(req({ cert: legacy.der })).ok).toBe(true);
    const wrongSubject = createMtlsVerifier({
      acceptSubject: true,
      authorize: { subjects: ['O=Corp,CN=other'] },
    });
    const denied = wrongSubject.check(req({ cert: legacy.der }));
    expect(!denied.ok && denied.error?.code).toBe('MTLS_PEER_DENIED');
    // A SPIFFE policy never matches a DNS-only peer.
    const spiffeOnly = createMtlsVerifier({
      acceptDnsNames: true,
      authorize: authorizeMemberOf('corp.example.com'),
    });
    expect(spiffeOnly.check(req({ cert: legacy.der })).ok).toBe(false);
  });

  it('requires an authorization policy unless dangerouslyAllowAnyPeer', () => {
    expect(() => createMtlsVerifier({})).toThrow(/mtls.authorize: is required/);
    const any = createMtlsVerifier({ dangerouslyAllowAnyPeer: true });
    expect(any.check(req({ cert: web.der })).ok).toBe(true);
    expect(() => createMtlsVerifier({ dangerouslyAllowAnyPeer: true, authorize: { ids: [] } })).toThrow(
      /contradicts/,
    );
    let thrown: unknown;
    try {
      createMtlsVerifier({ authorize: { trustDomains: ['Corp'] } });
    } catch (e) {
      thrown = e;
    }
    expect(isConfigError(thrown)).toBe(true);
  });

  describe('behind a TLS-terminating proxy', () => {
    const events: SecurityEvent[] = [];
    const v = () =>
      createMtlsVerifier({
        authorize: authorizeMemberOf('corp.example.com'),
        forwardedCertificate: { trustedProxies: proxies },
        onEvent: (e) => events.push(e),
      });

    it('reads XFCC only from a trusted proxy, never the proxy socket certificate', () => {
      const verifier = v();
      const viaProxy = verifier.check(
        req({
          remote: '10.0.0.5',
          cert: proxyCert.der,
          headers: { 'x-forwarded-client-cert': xfcc(billing) },
        }),
      );
      expect(viaProxy.ok && viaProxy.value.spiffeId?.id).toBe('spiffe://corp.example.com/ns/billing/sa/api');
      expect(viaProxy.ok && viaProxy.value.via).toBe('proxy');
      const noHeader = verifier.check(req({ remote: '10.0.0.5', cert: proxyCert.der }));
      expect(!noHeader.ok && noHeader.error?.code).toBe('MTLS_CERT_REQUIRED');
      // From the trusted proxy the header is the certificate: nothing to strip.
      expect(viaProxy.ok && viaProxy.strip).toBeUndefined();
    });

    it('ignores a forged header from an untrusted peer and reports it', () => {
      events.length = 0;
      const verifier = v();
      const forged = verifier.check(
        req({ remote: '203.0.113.9', headers: { 'x-forwarded-client-cert': xfcc(billing) } }),
      );
      expect(!forged.ok && forged.error?.code).toBe('MTLS_CERT_REQUIRED');
      expect(events[0]).toMatchObject({
        type: 'mtls.forwarded_ignored',
        data: { remoteAddress: '203.0.113.9' },
      });
      // A direct client with its own certificate is identified by that certificate, not the header.
      const direct = verifier.check(
        req({ remote: '203.0.113.9', cert: web.der, headers: { 'x-forwarded-client-cert': xfcc(billing) } }),
      );
      expect(direct.ok && direct.value.spiffeId?.id).toBe('spiffe://corp.example.com/ns/billing-evil/sa/web');
      expect(direct.ok && direct.value.via).toBe('tls');
      // The adapter must remove the header that peer sent before the handler reads it.
      expect(direct.ok && direct.strip).toEqual(['x-forwarded-client-cert']);
    });

    it('applies the same identity rules to forwarded certificates', () => {
      const verifier = v();
      const two = verifier.check(
        req({ remote: '10.0.0.5', headers: { 'x-forwarded-client-cert': xfcc(twoUris) } }),
      );
      expect(!two.ok && two.error?.code).toBe('MTLS_IDENTITY_INVALID');
      const junk = verifier.check(
        req({ remote: '10.0.0.5', headers: { 'x-forwarded-client-cert': 'Cert="%%%"' } }),
      );
      expect(!junk.ok && [junk.error?.status, junk.error?.code]).toEqual([
        401,
        'MTLS_FORWARDED_CERT_INVALID',
      ]);
      const huge = verifier.check(
        req({ remote: '10.0.0.5', headers: { 'x-forwarded-client-cert': 'a'.repeat(20000) } }),
      );
      expect(!huge.ok && huge.error?.code).toBe('MTLS_FORWARDED_CERT_INVALID');
    });

    it('takes the client-IP trust list (CIDRs, named sets) directly', () => {
      const verifier = createMtlsVerifier({
        authorize: authorizeMemberOf('corp.example.com'),
        forwardedCertificate: { trustedProxies: ['10.0.0.0/8'] },
      });
      const ok = verifier.check(
        req({ remote: '::ffff:10.1.2.3', headers: { 'x-forwarded-client-cert': xfcc(billing) } }),
      );
      expect(ok.ok && ok.value.via).toBe('proxy');
      expect(ok.ok && ok.strip).toBeUndefined();
      const outside = verifier.check(
        req({
          remote: '192.168.1.1',
          cert: billing.der,
          headers: { 'x-forwarded-client-cert': xfcc(billing) },
        }),
      );
      expect(outside.ok && outside.value.via).toBe('tls');
      expect(outside.ok && outside.strip).toEqual(['x-forwarded-client-cert']);
    });

    it('reads a configured header with URL-encoded PEM', () => {
      const verifier = createMtlsVerifier({
        authorize: authorizeMemberOf('corp.example.com'),
        forwardedCertificate: { trustedProxies: proxies, format: 'pem', header: 'x-client-cert' },
      });
      const ok = verifier.check(
        req({ remote: '10.0.0.5', headers: { 'x-client-cert': encodeURIComponent(billing.certPem) } }),
      );
      expect(ok.ok && ok.value.via).toBe('proxy');
      const twice = verifier.check(
        req({
          remote: '10.0.0.5',
          headers: {
            'x-client-cert': [encodeURIComponent(billing.certPem), encodeURIComponent(web.certPem)],
          },
        }),
      );
      expect(!twice.ok && twice.error?.code).toBe('MTLS_FORWARDED_CERT_INVALID');
    });

    it('checks forwarding options at construction', () => {
      const base = { authorize: authorizeMemberOf('corp.example.com') };
      expect(() => createMtlsVerifier({ ...base, forwardedCertificate: { trustedProxies: [] } })).toThrow(
        /is empty/,
      );
      expect(() =>
        createMtlsVerifier({ ...base, forwardedCertificate: { trustedProxies: ['0.0.0.0/0'] } }),
      ).toThrow(/trusts every address/);
      expect(() =>
        createMtlsVerifier({ ...base, forwardedCertificate: { trustedProxies: true as never } }),
      ).toThrow(/trust list/);
      expect(() =>
        createMtlsVerifier({ ...base, forwardedCertificate: { trustedProxies: proxies, format: 'pem' } }),
      ).toThrow(/header: is required/);
      expect(() =>
        createMtlsVerifier({
          ...base,
          forwardedCertificate: { trustedProxies: proxies, header: 'X-Client-Cert' },
        }),
      ).toThrow(/lowercase/);
    });
  });
});
