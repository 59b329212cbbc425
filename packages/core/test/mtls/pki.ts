/**
 * A throwaway PKI for mTLS tests: a CA and leaf certificates made with @peculiar/x509 on WebCrypto (P-256).
 * Nothing here is a fixture file: every run mints fresh keys.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCa {
  readonly name: string;
  readonly keys: CryptoKeyPair;
  readonly cert: x509.X509Certificate;
  readonly certPem: string;
}

export interface TestLeaf {
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Uint8Array;
}

export interface LeafOptions {
  /** URI SANs (SPIFFE IDs or anything else). */
  uris?: readonly string[];
  dnsNames?: readonly string[];
  /** Subject DN, e.g. 'CN=billing, O=Corp'. Default 'CN=workload'. */
  subject?: string;
  /** Mark the leaf as a CA (basicConstraints cA=true, keyCertSign). */
  ca?: boolean;
  /** Key usage flags to set instead of digitalSignature. */
  keyUsage?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** Raw extensions appended as-is. */
  extraExtensions?: x509.Extension[];
  /** Server certificate: adds DNS localhost and IP 127.0.0.1 SANs. */
  server?: boolean;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

let serial = 1;
function nextSerial(): string {
  serial++;
  return serial.toString(16).padStart(4, '0');
}

/** A self-signed CA. */
export async function createTestCa(name = 'CN=bulwark test CA'): Promise<TestCa> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { name, keys, cert, certPem: cert.toString('pem') };
}

/** A leaf signed by `ca`. */
export async function issueTestLeaf(ca: TestCa, options: LeafOptions = {}): Promise<TestLeaf> {
  const keys = await keyPair();
  const names: x509.JsonGeneralName[] = [];
  for (const uri of options.uris ?? []) names.push({ type: 'url', value: uri });
  for (const dns of options.dnsNames ?? []) names.push({ type: 'dns', value: dns });
  if (options.server === true) {
    names.push({ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' });
  }
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.ca === true, undefined, true),
    new x509.KeyUsagesExtension(
      options.keyUsage ??
        (options.ca === true
          ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature
          : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment),
      true,
    ),
    new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  extensions.push(...(options.extraExtensions ?? []));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: options.subject ?? 'CN=workload',
    issuer: ca.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - 60_000),
    notAfter: options.notAfter ?? new Date(Date.now() + 3600_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    extensions,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  return {
    certPem: cert.toString('pem'),
    keyPem: pem('PRIVATE KEY', pkcs8),
    der: new Uint8Array(cert.rawData),
  };
}

export { x509 };
