import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { proofKey } from '../../test/dpop-fixtures.js';
import { backend as nodeBackend } from '../jwt/crypto-node.js';
import { backend as webBackend } from '../jwt/crypto-web.js';
import { checkProofKey, jwkThumbprint, thumbprintInput } from './jwk.js';

// RFC 7638 §3.1: the example RSA key and its thumbprint.
const RFC_KEY = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};

describe('jwkThumbprint (RFC 7638)', () => {
  it('gives the RFC example thumbprint', async () => {
    expect(await jwkThumbprint(RFC_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('agrees with jose for every key type, and ignores members outside the required set', async () => {
    for (const alg of ['ES256', 'ES384', 'EdDSA', 'RS256'] as const) {
      const k = await proofKey(alg);
      const extra = { ...k.jwk, kid: 'x', use: 'sig', alg };
      expect(await jwkThumbprint(extra)).toBe(await calculateJwkThumbprint(k.jwk, 'sha256'));
    }
  });

  it('has no input for incomplete or non-string members', () => {
    expect(thumbprintInput({ kty: 'EC', crv: 'P-256', x: 'a' })).toBeUndefined();
    expect(thumbprintInput({ kty: 'RSA', n: 1, e: 'AQAB' })).toBeUndefined();
    expect(thumbprintInput({ kty: 'oct', k: 'abc' })).toBeUndefined();
  });
});

describe('checkProofKey', () => {
  it('gives the same thumbprint on both back ends', async () => {
    const k = await proofKey('ES256');
    const a = await checkProofKey(k.jwk, 'ES256', nodeBackend);
    const b = await checkProofKey(k.jwk, 'ES256', webBackend);
    expect(typeof a !== 'string' && a.jkt).toBe(k.jkt);
    expect(typeof b !== 'string' && b.jkt).toBe(k.jkt);
  });

  it('refuses private members of every key type and symmetric keys', async () => {
    const k = await proofKey('ES256');
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      expect(typeof (await checkProofKey({ ...k.jwk, [m]: 'AQAB' }, 'ES256', nodeBackend))).toBe('string');
    }
    expect(await checkProofKey({ kty: 'oct', k: 'AAAA' }, 'ES256', nodeBackend)).toMatch(/symmetric/);
    expect(await checkProofKey([k.jwk], 'ES256', nodeBackend)).toMatch(/no jwk/);
  });
});
