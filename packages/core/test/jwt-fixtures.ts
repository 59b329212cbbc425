import { constants, createHmac, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { JWK } from 'jose';
import type { HeaderPolicy } from '../src/jwt/compact.js';

export const ISSUER = 'https://issuer.test/';
export const AUDIENCE = 'https://api.test';

const b64 = (v: string | Uint8Array) => Buffer.from(v).toString('base64url');

export interface KeyPair {
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

/** A key pair for one algorithm, with its public JWK (kid and alg set). */
export function keyPair(alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA', kid: string): KeyPair {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    alg,
    privateKey: pair.privateKey,
    publicJwk: { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' },
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }) as string,
  };
}

export const HS_SECRET = randomBytes(32);

/** Sign arbitrary header/payload JSON (objects, or raw JSON text for malformed cases). */
export function signRaw(
  alg: string,
  key: KeyObject | Uint8Array | string,
  header: object | string,
  payload: object | string,
): string {
  const h = b64(typeof header === 'string' ? header : JSON.stringify(header));
  const p = b64(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const input = `${h}.${p}`;
  let sig: Uint8Array;
  const bits = alg.slice(2);
  const digest = `sha${bits === '384' ? 384 : bits === '512' ? 512 : 256}`;
  if (alg.startsWith('HS'))
    sig = createHmac(digest, key as Uint8Array)
      .update(input)
      .digest();
  else if (alg === 'EdDSA' || alg === 'Ed25519') sig = sign(null, Buffer.from(input), key as KeyObject);
  else if (alg.startsWith('ES'))
    sig = sign(digest, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (alg.startsWith('PS'))
    sig = sign(digest, Buffer.from(input), {
      key: key as KeyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  else sig = sign(digest, Buffer.from(input), key as KeyObject);
  return `${input}.${b64(sig)}`;
}

/** Claims valid at `nowSec`: issuer, audience, five-minute lifetime, a jti. */
export function claims(nowSec: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: nowSec,
    exp: nowSec + 300,
    jti: `jti-${randomBytes(6).toString('hex')}`,
    scope: 'orders:read profile',
    ...extra,
  };
}

/** A well-formed signed token. */
export function token(
  pair: KeyPair,
  nowSec: number,
  extra: Record<string, unknown> = {},
  header: object = {},
): string {
  return signRaw(
    pair.alg,
    pair.privateKey,
    { alg: pair.alg, kid: pair.publicJwk.kid, typ: 'at+jwt', ...header },
    claims(nowSec, extra),
  );
}

/** parseCompact's header policy for an RS256-only verifier (no typ), with fresh memo and refused maps. */
export function rs256HeaderPolicy(refused: HeaderPolicy['refused'] = new Map()): HeaderPolicy {
  return {
    maxTokenLength: 8192,
    maxHeaderLength: 1024,
    algorithms: new Set(['RS256']),
    typ: undefined,
    memo: new Map(),
    refused,
  };
}
