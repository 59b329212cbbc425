import { generateKeyPairSync, type KeyObject, randomBytes, webcrypto } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestCa } from '../../test/mtls/pki.js';
import { isConfigError } from '../errors.js';
import { keyMaterialKind, refuseKeyAsSecret } from './key-material.js';

const PAIRS: Record<string, { publicKey: KeyObject; privateKey: KeyObject }> = {
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  'rsa-pss': generateKeyPairSync('rsa-pss', { modulusLength: 2048 }),
  'ec P-256': generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  'ec P-384': generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ed25519: generateKeyPairSync('ed25519'),
  ed448: generateKeyPairSync('ed448'),
  x25519: generateKeyPairSync('x25519'),
};

/** Every encoding a person might paste of one DER value. */
function textForms(der: Buffer): Record<string, string | Uint8Array> {
  return {
    der: der,
    'der as Uint8Array': new Uint8Array(der),
    base64: der.toString('base64'),
    'base64 unpadded': der.toString('base64').replace(/=+$/, ''),
    base64url: der.toString('base64url'),
    'base64 wrapped at 64': der.toString('base64').replace(/.{64}/g, '$&\n'),
    hex: der.toString('hex'),
    'base64 as bytes': Buffer.from(der.toString('base64')),
  };
}

function forms(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [name, { publicKey, privateKey }] of Object.entries(PAIRS)) {
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    for (const [form, v] of Object.entries(textForms(spki))) out.push([`${name} SPKI ${form}`, v]);
    out.push([`${name} SPKI PEM`, publicKey.export({ format: 'pem', type: 'spki' })]);
    out.push([`${name} SPKI PEM as bytes`, Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }))]);
    // node has no JWK form for RSA-PSS keys.
    const jwk =
      name === 'rsa-pss' ? { kty: 'RSA', n: 'AQAB', e: 'AQAB' } : publicKey.export({ format: 'jwk' });
    out.push([`${name} JWK object`, jwk]);
    out.push([`${name} JWK text`, JSON.stringify(jwk)]);
    out.push([`${name} JWK text, pretty`, `\n  ${JSON.stringify(jwk, null, 2)}`]);
    out.push([`${name} JWKS text`, JSON.stringify({ keys: [jwk] })]);
    out.push([`${name} JWK base64url`, Buffer.from(JSON.stringify(jwk)).toString('base64url')]);
    out.push([`${name} KeyObject public`, publicKey]);
    out.push([`${name} KeyObject private`, privateKey]);
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    for (const [form, v] of Object.entries(textForms(pkcs8))) out.push([`${name} PKCS#8 ${form}`, v]);
  }
  const rsa = PAIRS.rsa!;
  for (const [form, v] of Object.entries(textForms(rsa.publicKey.export({ format: 'der', type: 'pkcs1' }))))
    out.push([`rsa PKCS#1 public ${form}`, v]);
  out.push(['rsa PKCS#1 public PEM', rsa.publicKey.export({ format: 'pem', type: 'pkcs1' })]);
  for (const [form, v] of Object.entries(textForms(rsa.privateKey.export({ format: 'der', type: 'pkcs1' }))))
    out.push([`rsa PKCS#1 private ${form}`, v]);
  const ec = PAIRS['ec P-256']!;
  for (const [form, v] of Object.entries(textForms(ec.privateKey.export({ format: 'der', type: 'sec1' }))))
    out.push([`ec SEC1 private ${form}`, v]);
  return out;
}

describe('keyMaterialKind', () => {
  it.each(forms())('recognises %s', (_name, value) => {
    expect(keyMaterialKind(value)).toBeDefined();
  });

  it('recognises an X.509 certificate in DER, PEM and base64', async () => {
    const ca = await createTestCa();
    const der = Buffer.from(ca.cert.rawData);
    expect(keyMaterialKind(der)).toMatch(/certificate/);
    expect(keyMaterialKind(ca.certPem)).toMatch(/PEM/);
    for (const v of Object.values(textForms(der))) expect(keyMaterialKind(v)).toMatch(/certificate/);
  });

  it('recognises WebCrypto CryptoKeys', async () => {
    const pair = await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    expect(keyMaterialKind((pair as CryptoKeyPair).publicKey)).toBe('a public key object');
    const hmac = await webcrypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    expect(keyMaterialKind(hmac)).toBe('a secret key object');
  });

  it('passes real secrets: random bytes, their base64/hex text, passphrases', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 128 }), (bytes) => {
        const b = Buffer.from(bytes);
        for (const v of [b, b.toString('base64'), b.toString('base64url'), b.toString('hex')])
          expect(keyMaterialKind(v)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 16, maxLength: 96 }), (s) => {
        fc.pre(!s.includes('-----BEGIN') && !s.includes('"kty"'));
        expect(keyMaterialKind(s)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
    expect(keyMaterialKind(`whsec_${randomBytes(24).toString('base64')}`)).toBeUndefined();
    expect(keyMaterialKind('correct horse battery staple and more words')).toBeUndefined();
  });
});

describe('refuseKeyAsSecret', () => {
  it('throws a ConfigError naming the option and what was found, never the value', () => {
    const der = PAIRS.rsa!.publicKey.export({ format: 'der', type: 'spki' });
    try {
      refuseKeyAsSecret('jwt.secret', der, 'use keys');
      expect.unreachable();
    } catch (err) {
      expect(isConfigError(err)).toBe(true);
      expect((err as Error).message).toMatch(/^jwt\.secret: is a DER SubjectPublicKeyInfo/);
      expect((err as Error).message).not.toContain(der.toString('base64').slice(0, 16));
    }
    expect(() => refuseKeyAsSecret('jwt.secret', randomBytes(32), 'use keys')).not.toThrow();
  });
});
