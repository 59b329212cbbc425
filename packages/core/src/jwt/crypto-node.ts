import {
  constants,
  createHmac,
  createHash,
  createPublicKey,
  createSecretKey,
  type KeyObject,
  timingSafeEqual,
  verify as nodeVerify,
} from 'node:crypto';
import type { JWK } from 'jose';
import type { JwtAlgorithm } from './algorithms.js';
import { type JwtCryptoBackend, publicMembers } from './crypto-types.js';

// node:crypto digest names per JWS algorithm, resolved once.
const DIGEST: Readonly<Record<JwtAlgorithm, string | null>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
  Ed25519: null,
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
};

/** What a key is bound to once imported: node's verify options are built once, not per call. */
interface NodeKey {
  readonly key: KeyObject;
  readonly options:
    | KeyObject
    | { key: KeyObject; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' };
}

async function importPublicJwk(jwk: JWK, alg: JwtAlgorithm): Promise<NodeKey> {
  const key = createPublicKey({ key: publicMembers(jwk) as never, format: 'jwk' });
  const family = alg.slice(0, 2);
  if (family === 'PS') {
    return {
      key,
      options: {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      },
    };
  }
  if (family === 'RS') return { key, options: { key, padding: constants.RSA_PKCS1_PADDING } };
  if (family === 'ES') return { key, options: { key, dsaEncoding: 'ieee-p1363' } };
  return { key, options: key };
}

async function importSecret(secret: Uint8Array): Promise<NodeKey> {
  const key = createSecretKey(secret);
  return { key, options: key };
}

function verify(alg: JwtAlgorithm, handle: unknown, signingInput: string, signature: Uint8Array): boolean {
  const k = handle as NodeKey;
  const data = Buffer.from(signingInput, 'latin1');
  try {
    if (alg.charCodeAt(0) === 72 /* H */) {
      const mac = createHmac(DIGEST[alg]!, k.key).update(data).digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    }
    return nodeVerify(DIGEST[alg], data, k.options as KeyObject, signature);
  } catch {
    // node throws on signatures of an impossible length or encoding; that is just a bad signature.
    return false;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * node:crypto back end: KeyObjects imported once, synchronous `crypto.verify`, HMAC compared with
 * `timingSafeEqual`.
 *
 * @example
 * const ok = backend.verify('RS256', await backend.importPublicJwk(jwk, 'RS256'), input, sig);
 */
export const backend: JwtCryptoBackend = { name: 'node', importPublicJwk, importSecret, verify, hashToken };
