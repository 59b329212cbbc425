import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificatePem, selfSignedCertificate } from './x509.js';

describe('selfSignedCertificate', () => {
  it.each([
    ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ])('%s: node parses it, it is signed by its own key and carries it', (_name, make) => {
    const { privateKey, publicKey } = make();
    const cert = new X509Certificate(certificatePem(selfSignedCertificate(privateKey)));
    expect(cert.subject).toBe('CN=bulwark-audit attacker');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(publicKey)).toBe(true);
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
    const now = Date.now();
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(now);
  });
});
