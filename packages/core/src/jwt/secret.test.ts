import { generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER } from '../../test/jwt-fixtures.js';
import { createTestCa } from '../../test/mtls/pki.js';
import { isConfigError } from '../errors.js';
import { createJwtVerifier } from './verifier.js';

/** A public key (or certificate) pasted as the HMAC secret: whoever holds it could sign HS256 tokens. */
const forms: [string, unknown][] = [];
beforeAll(async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const spki = rsa.publicKey.export({ format: 'der', type: 'spki' });
  const ca = await createTestCa();
  const certDer = Buffer.from(ca.cert.rawData);
  const web = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  forms.push(
    ['RSA SPKI DER Buffer', spki],
    ['RSA SPKI DER Uint8Array', new Uint8Array(spki)],
    ['RSA PKCS#1 DER', rsa.publicKey.export({ format: 'der', type: 'pkcs1' })],
    ['EC SPKI DER', ec.publicKey.export({ format: 'der', type: 'spki' })],
    ['Ed25519 SPKI DER', ed.publicKey.export({ format: 'der', type: 'spki' })],
    ['X.509 certificate DER', certDer],
    ['X.509 certificate PEM', ca.certPem],
    ['base64 of SPKI DER', spki.toString('base64')],
    ['base64url of SPKI DER', spki.toString('base64url')],
    ['hex of certificate DER', certDer.toString('hex')],
    ['PKCS#1 PEM', rsa.publicKey.export({ format: 'pem', type: 'pkcs1' })],
    ['EC PEM', ec.publicKey.export({ format: 'pem', type: 'spki' })],
    ['JWK object', ec.publicKey.export({ format: 'jwk' })],
    ['JWK text', JSON.stringify(ed.publicKey.export({ format: 'jwk' }))],
    ['node KeyObject (public)', rsa.publicKey],
    ['WebCrypto CryptoKey (public)', web.publicKey],
  );
});

describe('jwt.secret refuses key material in any encoding', () => {
  it('refuses every form, at the top level and per issuer', () => {
    expect(forms.length).toBeGreaterThan(10);
    for (const [name, secret] of forms) {
      for (const shape of ['top', 'issuer'] as const) {
        const options =
          shape === 'top'
            ? { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, secret }
            : { algorithms: ['HS256'], audience: AUDIENCE, issuers: [{ issuer: ISSUER, secret }] };
        let error: unknown;
        try {
          createJwtVerifier(options as never);
        } catch (e) {
          error = e;
        }
        expect(isConfigError(error), `${name} (${shape})`).toBe(true);
        const e = error as { option: string; message: string };
        expect(e.option, name).toBe(shape === 'top' ? 'jwt.secret' : 'jwt.issuers[0].secret');
        expect(e.message, name).toMatch(/key|certificate/i);
      }
    }
  });

  it('accepts a random secret, raw or as text', () => {
    const raw = randomBytes(32);
    for (const secret of [raw, raw.toString('base64'), raw.toString('hex')]) {
      expect(() =>
        createJwtVerifier({ algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, secret }),
      ).not.toThrow();
    }
  });
});
