// mTLS per request: what bulwark adds after the TLS handshake (read the peer identity from the certificate DER,
// check the SPIFFE ID, authorize), against the ways a user would otherwise read the identity: node:crypto's
// X509Certificate (then the subjectAltName display string, the risky way) and @peculiar/x509 (full parse).
// Plus the deny path and the RFC 8705 binding check. The handshake itself is the same for everyone and is
// not measured. Contract: see bench/README.md.
// Groups are timed on process CPU time (clock: 'cpu'): no case waits on I/O, and WebCrypto's work on the
// thread pool is process CPU time too. On a shared machine at a load of 40+ the wall clock measured the
// scheduler more than the code.
import 'reflect-metadata';
import { createHash, X509Certificate as NodeX509, webcrypto } from 'node:crypto';
import {
  authorizePathPrefix,
  certificateThumbprint,
  createMtlsVerifier,
  parseSpiffeId,
  verifyCertificateBinding,
} from '@bulwark/core';
import * as x509 from '@peculiar/x509';
import { compare, ensure } from './lib/micro.mjs';

export const title = 'mTLS peer identity';
export const peers = ['@peculiar/x509'];

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function pki() {
  x509.cryptoProvider.set(webcrypto);
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=bench CA',
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const leaf = async (uri) => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: '02',
      subject: 'CN=workload, O=Corp',
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }]),
      ],
    });
    return new Uint8Array(cert.rawData);
  };
  return {
    allowed: await leaf('spiffe://corp.example.com/ns/billing/sa/api'),
    denied: await leaf('spiffe://corp.example.com/ns/billing-evil/sa/api'),
  };
}

const request = (der) => ({ method: 'GET', url: '/pay', header: () => undefined, peerCertificate: der });

export async function run({ smoke }) {
  const { allowed, denied } = await pki();
  const mtls = createMtlsVerifier({ authorize: authorizePathPrefix('corp.example.com', '/ns/billing') });
  const allowedReq = request(allowed);
  const deniedReq = request(denied);
  const prefix = 'spiffe://corp.example.com/ns/billing/';
  const token = { sub: 'svc', cnf: { 'x5t#S256': await certificateThumbprint(allowed) } };

  return [
    ...(await compare(
      'mTLS: identify + authorize a SPIFFE SVID (DER in hand)',
      {
        'bulwark verify (strict DER, SPIFFE rules, policy)': () => mtls.check(allowedReq),
        'node:crypto X509Certificate + subjectAltName split (unsafe)': () => {
          const san = new NodeX509(allowed).subjectAltName ?? '';
          const uri = san
            .split(', ')
            .find((s) => s.startsWith('URI:'))
            ?.slice(4);
          return uri?.startsWith(prefix) === true;
        },
        '@peculiar/x509 parse + SAN extension': () => {
          const cert = new x509.X509Certificate(allowed);
          const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
          const uri = san?.names.items.find((n) => n.type === 'url')?.value;
          return uri?.startsWith(prefix) === true;
        },
      },
      {
        smoke,
        clock: 'cpu',
        check: (name, r) => ensure(r === true || r?.ok === true, `${name} allowed the billing SVID`),
      },
    )),
    ...(await compare(
      // Not a "deny" group for the targets table: after the handshake, refusing a peer needs the same identity
      // read as allowing it (there is no cheaper early exit to measure), so the ratio is ~1 by design.
      'mTLS: wrong SPIFFE ID (403) vs authorized',
      {
        'bulwark refuse (403 MTLS_PEER_DENIED)': () => mtls.check(deniedReq),
        'bulwark allow': () => mtls.check(allowedReq),
      },
      {
        smoke,
        clock: 'cpu',
        check: (name, r) =>
          ensure(name.includes('refuse') ? r.ok === false : r.ok === true, `${name} as intended`),
      },
    )),
    ...(await compare(
      'SPIFFE ID parse',
      {
        'bulwark parseSpiffeId': () => parseSpiffeId('spiffe://corp.example.com/ns/billing/sa/api'),
        'WHATWG new URL (no SPIFFE rules)': () => new URL('spiffe://corp.example.com/ns/billing/sa/api'),
      },
      {
        smoke,
        clock: 'cpu',
        check: (name, r) => ensure(r.ok === true || r.host === 'corp.example.com', `${name} parsed`),
      },
    )),
    ...(await compare(
      'RFC 8705 certificate binding (cnf.x5t#S256)',
      {
        'bulwark verifyCertificateBinding': () => verifyCertificateBinding(token, allowed),
        'node:crypto createHash floor': () =>
          createHash('sha256').update(allowed).digest('base64url') === token.cnf['x5t#S256'],
      },
      { smoke, clock: 'cpu', check: (name, r) => ensure(r === true || r?.ok === true, `${name} matched`) },
    )),
  ];
}
