import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, issueTestLeaf, type TestCa, type TestLeaf, x509 } from '../../test/mtls/pki.js';
import { readCertificateIdentity } from './certificate.js';
import { DerError } from './der.js';
import { identifyPeer } from './peer.js';

let ca: TestCa;
let svid: TestLeaf;
let twoUris: TestLeaf;
let caLeaf: TestLeaf;
let signingLeaf: TestLeaf;
let commaDns: TestLeaf;
let dnsOnly: TestLeaf;
let trustDomainOnly: TestLeaf;
let badSpiffe: TestLeaf;

beforeAll(async () => {
  ca = await createTestCa();
  svid = await issueTestLeaf(ca, {
    uris: ['spiffe://corp.example.com/ns/billing/sa/api'],
    subject: 'CN=billing\\, inc, O=Corp, C=FR',
  });
  twoUris = await issueTestLeaf(ca, {
    uris: ['spiffe://corp.example.com/ns/web/sa/x', 'spiffe://corp.example.com/ns/admin/sa/root'],
  });
  caLeaf = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/web/sa/x'], ca: true });
  signingLeaf = await issueTestLeaf(ca, {
    uris: ['spiffe://corp.example.com/ns/web/sa/x'],
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
  });
  commaDns = await issueTestLeaf(ca, {
    uris: ['spiffe://corp.example.com/ns/web/sa/x'],
    dnsNames: ['a.example.com, URI:spiffe://corp.example.com/ns/admin/sa/root'],
  });
  dnsOnly = await issueTestLeaf(ca, {
    dnsNames: ['billing.internal.example.com'],
    subject: 'CN=billing, O=Corp',
  });
  trustDomainOnly = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com'] });
  badSpiffe = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/a/../admin'] });
});

const reasonOf = (der: Uint8Array, opts = {}) => {
  const r = identifyPeer(der, 'tls', opts);
  if (r.ok) throw new Error('accepted');
  return r.error;
};

describe('readCertificateIdentity', () => {
  it('reads URI SANs, subject and CA flag from the DER', () => {
    const id = readCertificateIdentity(svid.der);
    expect(id.uris).toEqual(['spiffe://corp.example.com/ns/billing/sa/api']);
    expect(id.dnsNames).toEqual([]);
    expect(id.isCa).toBe(false);
    expect(id.canSignCertificates).toBe(false);
    expect(id.subject).toBe('C=FR,O=Corp,CN=billing\\, inc');
  });

  it('reads every URI SAN, where a display string would be ambiguous', () => {
    expect(readCertificateIdentity(twoUris.der).uris).toHaveLength(2);
    // node's subjectaltname display string quotes the comma; splitting it on ", " would invent a second URI.
    const display = new X509Certificate(commaDns.certPem).subjectAltName ?? '';
    expect(display.split(', ').filter((p) => p.includes('URI:')).length).toBeGreaterThan(1);
    const id = readCertificateIdentity(commaDns.der);
    expect(id.uris).toEqual(['spiffe://corp.example.com/ns/web/sa/x']);
    expect(id.dnsNames).toEqual(['a.example.com, URI:spiffe://corp.example.com/ns/admin/sa/root']);
  });

  it('sees CA leaves and certificate-signing key usage', () => {
    expect(readCertificateIdentity(caLeaf.der).isCa).toBe(true);
    expect(readCertificateIdentity(signingLeaf.der).canSignCertificates).toBe(true);
    expect(readCertificateIdentity(new Uint8Array(ca.cert.rawData)).isCa).toBe(true);
  });

  it('refuses non-DER: truncation, trailing bytes, indefinite and non-minimal lengths', () => {
    const der = svid.der;
    expect(() => readCertificateIdentity(der.subarray(0, der.length - 1))).toThrow(DerError);
    expect(() => readCertificateIdentity(new Uint8Array([...der, 0]))).toThrow(DerError);
    const indefinite = new Uint8Array([0x30, 0x80, 0x00, 0x00]);
    expect(() => readCertificateIdentity(indefinite)).toThrow(/indefinite/);
    const nonMinimal = new Uint8Array([0x30, 0x81, 0x03, 0x02, 0x01, 0x00]);
    expect(() => readCertificateIdentity(nonMinimal)).toThrow(/minimally/);
    expect(() => readCertificateIdentity(new Uint8Array())).toThrow(DerError);
  });

  it('property: corrupting any byte or cutting the certificate yields a DerError or a parse, never another throw', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (at, value, cut) => {
        const der = new Uint8Array(svid.der);
        const pos = at % der.length;
        if (!cut) der[pos] = value;
        const input = cut ? der.subarray(0, pos) : der;
        try {
          readCertificateIdentity(input);
        } catch (err) {
          expect(err).toBeInstanceOf(DerError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('property: random bytes never crash identifyPeer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = identifyPeer(bytes, 'tls');
        expect(r.ok).toBe(false);
      }),
    );
  });
});

describe('identifyPeer', () => {
  it('takes the SPIFFE ID from exactly one URI SAN', () => {
    const r = identifyPeer(svid.der, 'tls');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.spiffeId?.id).toBe('spiffe://corp.example.com/ns/billing/sa/api');
    expect(r.value.via).toBe('tls');
    expect(r.value.subject).toBeUndefined();
    expect(r.value.dnsNames).toEqual([]);
  });

  it('refuses two URI SANs, CA leaves, signing leaves and invalid or root SPIFFE IDs', () => {
    expect(reasonOf(twoUris.der)).toMatch(/2 URI SANs/);
    expect(reasonOf(caLeaf.der)).toMatch(/CA certificate/);
    expect(reasonOf(new Uint8Array(ca.cert.rawData))).toMatch(/CA certificate/);
    expect(reasonOf(signingLeaf.der)).toMatch(/keyCertSign/);
    expect(reasonOf(badSpiffe.der)).toMatch(/not a valid SPIFFE ID/);
    expect(reasonOf(trustDomainOnly.der)).toMatch(/trust domain ID/);
  });

  it('keeps DNS SANs and subject out unless opted in', () => {
    expect(reasonOf(dnsOnly.der)).toMatch(/no URI SAN/);
    const dns = identifyPeer(dnsOnly.der, 'tls', { acceptDnsNames: true });
    expect(dns.ok && dns.value.dnsNames).toEqual(['billing.internal.example.com']);
    expect(dns.ok && dns.value.subject).toBeUndefined();
    const subject = identifyPeer(dnsOnly.der, 'proxy', { acceptSubject: true });
    expect(subject.ok && subject.value.subject).toBe('O=Corp,CN=billing');
    expect(subject.ok && subject.value.via).toBe('proxy');
  });
});
