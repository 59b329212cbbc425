import {
  constants,
  createHash,
  createPublicKey,
  createSecretKey,
  hash,
  type KeyObject,
  verify as nodeVerify,
} from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { JWK } from 'jose';
import { type HmacDigest, HmacKey } from '../bytes/hmac-node.js';
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
  /** HS*: the secret as an HMAC key with its padded blocks derived once. */
  readonly hmac?: HmacKey;
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
  // PKCS#1 v1.5 is what node:crypto verifies with for an RSA key by default: the bare KeyObject saves
  // parsing an options object on every call.
  if (family === 'RS') return { key, options: key };
  if (family === 'ES') return { key, options: { key, dsaEncoding: 'ieee-p1363' } };
  return { key, options: key };
}

async function importSecret(secret: Uint8Array, alg: JwtAlgorithm): Promise<NodeKey> {
  const key = createSecretKey(secret);
  return { key, options: key, hmac: new HmacKey(secret, DIGEST[alg] as HmacDigest) };
}

function verify(alg: JwtAlgorithm, handle: unknown, signingInput: string, signature: Uint8Array): boolean {
  const k = handle as NodeKey;
  try {
    if (alg.charCodeAt(0) === 72 /* H */) {
      // The signing input is ASCII (checked base64url), so latin1 is its exact byte encoding. The MAC comes
      // back as latin1 text, one character per byte: no Buffer per call.
      const mac = k.hmac!.mac(signingInput);
      if (mac.length !== signature.length) return false;
      // Every byte compared, no early exit: the time does not tell how much of a forgery was right.
      let diff = 0;
      for (let i = 0; i < mac.length; i++) diff |= mac.charCodeAt(i) ^ signature[i]!;
      return diff === 0;
    }
    return nodeVerify(DIGEST[alg], Buffer.from(signingInput, 'latin1'), k.options as KeyObject, signature);
  } catch {
    // node throws on signatures of an impossible length or encoding; that is just a bad signature.
    return false;
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Canonical base64url only (the same rule as the portable decoder: URL-safe alphabet, no padding, no
 * impossible length, zero unused bits), then node's native decoder, which alone would accept all of those.
 */
function decode(part: string): Uint8Array | undefined {
  const rest = part.length & 3;
  if (rest === 1 || !B64URL.test(part)) return undefined;
  if (rest !== 0) {
    const last = ALPHABET.indexOf(part[part.length - 1]!);
    if ((last & (rest === 2 ? 15 : 3)) !== 0) return undefined;
  }
  return Buffer.from(part, 'base64url');
}

function decodeText(part: string): string | undefined {
  const bytes = decode(part) as Buffer | undefined;
  return bytes === undefined || !isUtf8(bytes) ? undefined : bytes.toString('utf8');
}

function hashToken(data: string | Uint8Array): string {
  // One-shot hash straight to text: no Hash object and no digest Buffer per call (about half the cost of
  // createHash for a token-sized input, and nothing for the GC to track).
  return hash('sha256', data, 'base64url');
}

function digest(algorithm: 'SHA-256' | 'SHA-384' | 'SHA-512', text: string): Uint8Array {
  return createHash(algorithm === 'SHA-256' ? 'sha256' : algorithm === 'SHA-384' ? 'sha384' : 'sha512')
    .update(text)
    .digest();
}

/**
 * node:crypto back end: KeyObjects imported once, synchronous `crypto.verify`, HMAC compared with
 * `timingSafeEqual`.
 *
 * @example
 * const ok = backend.verify('RS256', await backend.importPublicJwk(jwk, 'RS256'), input, sig);
 */
export const backend: JwtCryptoBackend = {
  name: 'node',
  importPublicJwk,
  importSecret,
  verify,
  decode,
  decodeText,
  hashToken,
  digest,
};
