import type { JWK } from 'jose';
import { decodeBase64Url, decodeBase64UrlText, encodeBase64Url } from '../encoding/base64url.js';
import type { JwtAlgorithm } from './algorithms.js';
import { hashOf, type JwtCryptoBackend, publicMembers } from './crypto-types.js';

const CURVE: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

function importParams(
  alg: JwtAlgorithm,
): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  const hash = hashOf(alg);
  switch (alg.slice(0, 2)) {
    case 'RS':
      return { name: 'RSASSA-PKCS1-v1_5', hash: hash! };
    case 'PS':
      return { name: 'RSA-PSS', hash: hash! };
    case 'ES':
      return { name: 'ECDSA', namedCurve: CURVE[alg]! };
    case 'HS':
      return { name: 'HMAC', hash: hash! };
    default:
      return { name: 'Ed25519' };
  }
}

function verifyParams(alg: JwtAlgorithm): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  const hash = hashOf(alg);
  switch (alg.slice(0, 2)) {
    case 'RS':
      return { name: 'RSASSA-PKCS1-v1_5' };
    case 'PS':
      return { name: 'RSA-PSS', saltLength: Number(alg.slice(2)) >> 3 };
    case 'ES':
      return { name: 'ECDSA', hash: hash! };
    case 'HS':
      return { name: 'HMAC' };
    default:
      return { name: 'Ed25519' };
  }
}

const encoder = new TextEncoder();

async function verifyAsync(
  alg: JwtAlgorithm,
  key: unknown,
  signingInput: string,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    return await crypto.subtle.verify(
      verifyParams(alg),
      key as CryptoKey,
      signature as BufferSource,
      encoder.encode(signingInput),
    );
  } catch {
    return false;
  }
}

/**
 * WebCrypto back end, for every runtime but node (Workers, Deno, Bun, browsers). HMAC verification goes
 * through `subtle.verify`, which compares in constant time.
 *
 * @example
 * const ok = await backend.verify('ES256', await backend.importPublicJwk(jwk, 'ES256'), input, sig);
 */
export const backend: JwtCryptoBackend = {
  name: 'webcrypto',
  importPublicJwk: (jwk: JWK, alg: JwtAlgorithm) =>
    crypto.subtle.importKey('jwk', publicMembers(jwk), importParams(alg), false, ['verify']),
  importSecret: (secret: Uint8Array, alg: JwtAlgorithm) =>
    crypto.subtle.importKey('raw', secret as BufferSource, importParams(alg), false, ['verify']),
  verify: verifyAsync,
  decode: decodeBase64Url,
  decodeText: decodeBase64UrlText,
  async hashToken(data: string | Uint8Array): Promise<string> {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    return encodeBase64Url(
      new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)),
    );
  },
  cacheKey: (token: string) => backend.hashToken(token),
  async digest(hash, text) {
    return new Uint8Array(await crypto.subtle.digest(hash, encoder.encode(text)));
  },
};
