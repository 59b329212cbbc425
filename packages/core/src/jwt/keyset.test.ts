import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, claims, keyPair } from '../../test/jwt-fixtures.js';
import { isConfigError } from '../errors.js';
import { backend as web } from './crypto-web.js';
import { cryptoBackend } from './crypto-backend.js';
import { bindAlgorithms, importKeySet } from './keyset.js';
import { createJwtVerifier, createJwtVerifierWith } from './verifier.js';

const b64 = (v: string | Uint8Array) => Buffer.from(v).toString('base64url');
const NOW = Math.floor(Date.now() / 1000);

function rsaJwk(bits: number): { jwk: JWK; privateKey: KeyObject } {
  const pair = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    jwk: { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), kid: 'k', alg: 'RS256' },
    privateKey: pair.privateKey,
  };
}

/** RS256 "signature" valid for any key with e = 1: the PKCS#1 v1.5 encoded message itself. */
function forgeWithExponentOne(n: string, input: string): string {
  const size = Buffer.from(n, 'base64url').length;
  const digestInfo = Buffer.concat([
    Buffer.from('3031300d060960864801650304020105000420', 'hex'),
    createHash('sha256').update(input).digest(),
  ]);
  const em = Buffer.concat([
    Buffer.from([0, 1]),
    Buffer.alloc(size - digestInfo.length - 3, 0xff),
    Buffer.from([0]),
    digestInfo,
  ]);
  return b64(em);
}

describe('bindAlgorithms: weak RSA keys', () => {
  it('measures the real modulus: a 1024-bit key padded with zero bytes to 2048 bits is refused', () => {
    const { jwk } = rsaJwk(1024);
    const padded = { ...jwk, n: b64(Buffer.concat([Buffer.alloc(128), Buffer.from(jwk.n!, 'base64url')])) };
    expect(bindAlgorithms(padded, ['RS256'])).toBe('RSA key is shorter than 2048 bits');
    expect(bindAlgorithms(jwk, ['RS256'])).toBe('RSA key is shorter than 2048 bits');
    expect(bindAlgorithms(rsaJwk(2048).jwk, ['RS256'])).toEqual(['RS256']);
    expect(() =>
      createJwtVerifier({ algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, keys: [padded] }),
    ).toThrow(expect.objectContaining({ option: 'jwt.keys[0]' }));
  });

  it('refuses e = 1 (every message is its own signature) and an even exponent, in static keys and a JWKS', async () => {
    const { jwk } = rsaJwk(2048);
    for (const e of ['AQ', 'AAE', 'AAAB', 'Ag', 'AQAA']) {
      expect(bindAlgorithms({ ...jwk, e }, ['RS256'])).toBe(
        'RSA public exponent is not an odd number of at least 3',
      );
    }
    expect(bindAlgorithms({ ...jwk, e: 'Aw' }, ['RS256'])).toEqual(['RS256']);
    let thrown: unknown;
    try {
      createJwtVerifier({
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: [{ ...jwk, e: 'AQ' }],
      });
    } catch (err) {
      thrown = err;
    }
    expect(isConfigError(thrown)).toBe(true);
    const skipped: string[] = [];
    const set = await importKeySet([{ ...jwk, e: 'AQ' }], ['RS256'], cryptoBackend, (_, why) =>
      skipped.push(why),
    );
    expect(set.size).toBe(0);
    expect(skipped).toEqual(['RSA public exponent is not an odd number of at least 3']);
  });

  it('a token forged for an e = 1 key is never accepted, on either back end', async () => {
    const { jwk } = rsaJwk(2048);
    const weak = { ...jwk, e: 'AQ' };
    const input = `${b64(JSON.stringify({ alg: 'RS256', kid: 'k' }))}.${b64(JSON.stringify(claims(NOW)))}`;
    const forged = `${input}.${forgeWithExponentOne(weak.n!, input)}`;
    // The forgery is real: the raw primitive accepts it for the weak key.
    const handle = await cryptoBackend.importPublicJwk(weak, 'RS256');
    expect(
      cryptoBackend.verify('RS256', handle, input, Buffer.from(forged.split('.')[2]!, 'base64url')),
    ).toBe(true);
    for (const backend of [cryptoBackend, web]) {
      // Through a JWKS, where the key is skipped instead of failing startup.
      const v = createJwtVerifierWith(
        {
          algorithms: ['RS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          jwksUri: 'https://id.test/jwks',
          jwks: {
            fetch: async () =>
              new Response(JSON.stringify({ keys: [weak] }), {
                headers: { 'content-type': 'application/json' },
              }),
          },
          now: () => NOW * 1000,
        },
        backend,
      );
      const verdict = await v.verifyToken(forged);
      expect(verdict.ok).toBe(false);
    }
  });

  it('keeps working keys usable: a real 2048-bit key still verifies', async () => {
    const pair = keyPair('RS256', 'k1');
    expect(bindAlgorithms(pair.publicJwk, ['RS256'])).toEqual(['RS256']);
  });
});
