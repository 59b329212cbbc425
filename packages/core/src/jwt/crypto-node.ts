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
import { hasDuplicateKeysInBytes, parseJsonObject } from './json.js';

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
    // The signing input is ASCII (checked base64url): its latin1 bytes, copied into the scratch buffer
    // that the synchronous verify reads before returning.
    const data =
      signingInput.length <= SCRATCH_BYTES
        ? scratchView(io.latin1Write(scratch, signingInput))
        : Buffer.from(signingInput, 'latin1');
    return nodeVerify(DIGEST[alg], data, k.options as KeyObject, signature);
  } catch {
    // node throws on signatures of an impossible length or encoding; that is just a bad signature.
    return false;
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Canonical base64url text (the same rule as the portable decoder: URL-safe alphabet, no padding, no
 * impossible length, zero unused bits), which node's native decoder alone would not insist on. A regex
 * refuses garbage at its first bad character, so it goes first where refusals are common (header, claims).
 */
function canonical(part: string): boolean {
  const rest = part.length & 3;
  if (rest === 1 || !B64URL.test(part)) return false;
  if (rest === 0) return true;
  const last = ALPHABET.indexOf(part[part.length - 1]!);
  return (last & (rest === 2 ? 15 : 3)) === 0;
}

/**
 * Strict decoding of a signature. A long one (RSA: 342 characters and more) is decoded by node, then the
 * bytes are encoded again and must give back `part` exactly: the canonical encoding of some bytes is the
 * only text that survives the round trip, and every canonical text does. One native encode and a string
 * compare cost less than the regex over 342 characters (~0.2 µs); for the short signatures of HMAC, ECDSA
 * and EdDSA the regex is as cheap, and it refuses garbage at its first bad character.
 */
function decode(part: string): Uint8Array | undefined {
  if (part.length < ROUND_TRIP_FROM) return canonical(part) ? Buffer.from(part, 'base64url') : undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

const ROUND_TRIP_FROM = 256;

/** The per-encoding methods node's `Buffer` has behind `write` and `toString` (not in its typings). */
interface EncodingMethods {
  base64urlWrite(text: string, offset: number): number;
  latin1Write(text: string, offset: number): number;
  base64urlSlice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/**
 * Writing into and reading out of the scratch buffers, from offset 0. `write` and `toString` sort out their
 * arguments and look the encoding up on every call; the verifier makes five such calls per token, so it
 * calls the per-encoding methods node's Buffer has behind them directly (~0.1–0.2 µs per RS256 verify),
 * where the runtime has them and they give what `write`/`toString` give (checked once here); elsewhere
 * through `write`/`toString`.
 */
const io = ((): {
  base64urlWrite(buf: Buffer, text: string): number;
  latin1Write(buf: Buffer, text: string): number;
  base64urlSlice(buf: Buffer, end: number): string;
  utf8Slice(buf: Buffer, end: number): string;
} => {
  const portable = {
    base64urlWrite: (buf: Buffer, text: string) => buf.write(text, 0, 'base64url'),
    latin1Write: (buf: Buffer, text: string) => buf.write(text, 0, 'latin1'),
    base64urlSlice: (buf: Buffer, end: number) => buf.toString('base64url', 0, end),
    utf8Slice: (buf: Buffer, end: number) => buf.toString('utf8', 0, end),
  };
  try {
    const probe = Buffer.alloc(8) as Buffer & Partial<EncodingMethods>;
    const direct = {
      base64urlWrite: (buf: Buffer, text: string) =>
        (buf as Buffer & EncodingMethods).base64urlWrite(text, 0),
      latin1Write: (buf: Buffer, text: string) => (buf as Buffer & EncodingMethods).latin1Write(text, 0),
      base64urlSlice: (buf: Buffer, end: number) => (buf as Buffer & EncodingMethods).base64urlSlice(0, end),
      utf8Slice: (buf: Buffer, end: number) => (buf as Buffer & EncodingMethods).utf8Slice(0, end),
    };
    const same =
      direct.base64urlWrite(probe, '4pyTXw') === 4 &&
      direct.utf8Slice(probe, 4) === '\u2713_' &&
      direct.base64urlSlice(probe, 4) === '4pyTXw' &&
      direct.latin1Write(probe, 'a.b') === 3 &&
      portable.utf8Slice(probe, 3) === 'a.b';
    return same ? direct : portable;
  } catch {
    return portable;
  }
})();

// The signature scratch: the longest signature decoded into it is 1368 characters (1026 bytes: RSA-8192 is
// 1024), longer ones take `decode`. One view per length, made once, so a signature costs no allocation.
const SIGNATURE_CHARS = 1368;
const signatureScratch = Buffer.allocUnsafeSlow((SIGNATURE_CHARS / 4) * 3);
const signatureViews: Uint8Array[] = [];

/**
 * `decode` of an RSA-length signature into the signature scratch, by the same round trip: the bytes are
 * good until the next call. The verifier reads them in the same synchronous run (or copies them before
 * waiting for a key); only the configured clock and pure checks run in between, and were a clock to verify
 * another token there, the signature check would fail on the other token's bytes, never pass.
 */
function decodeTransient(part: string): Uint8Array | undefined {
  if (part.length < ROUND_TRIP_FROM || part.length > SIGNATURE_CHARS) return decode(part);
  const n = io.base64urlWrite(signatureScratch, part);
  if (io.base64urlSlice(signatureScratch, n) !== part) return undefined;
  let view = signatureViews[n];
  if (view === undefined) {
    view = new Uint8Array(signatureScratch.buffer, signatureScratch.byteOffset, n);
    signatureViews[n] = view;
  }
  return view;
}

// Scratch space for the parts decoded to text (header, claims) and for the signing input: both are used
// and copied out (as a string, or read by the synchronous verify) before anything else can run, so one
// buffer serves every call and no Buffer is allocated per token. Longer parts take the allocating path.
const SCRATCH_BYTES = 8192;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
/** How many bytes the last `decodeText` into scratch left there. */
let lastDecoded = 0;
// One view of scratch's first n bytes per n, made once: a Buffer's subarray costs an object per call.
const scratchViews: Uint8Array[] = [];

function scratchView(n: number): Uint8Array {
  let view = scratchViews[n];
  if (view === undefined) {
    view = new Uint8Array(scratch.buffer, scratch.byteOffset, n);
    scratchViews[n] = view;
  }
  return view;
}

function decodeText(part: string): string | undefined {
  if (!canonical(part)) return undefined;
  // A base64url text never decodes to more bytes than it has characters.
  if (part.length > SCRATCH_BYTES) {
    const bytes = Buffer.from(part, 'base64url');
    return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
  }
  const n = io.base64urlWrite(scratch, part);
  lastDecoded = n;
  const text = io.utf8Slice(scratch, n);
  // node decodes ill-formed UTF-8 with U+FFFD in place of each bad sequence, so a text without U+FFFD came
  // from valid UTF-8 (the search is free on a one-byte string: it cannot hold the character). Only a text
  // with one (a replacement, or a genuine U+FFFD) needs the exact check, on the bytes still in scratch.
  return text.indexOf('\uFFFD') === -1 || isUtf8(scratch.subarray(0, n)) ? text : undefined;
}

/**
 * `decodeText` and `parseJsonObject` in one: the duplicate-member check reads the decoded bytes still in
 * the scratch buffer (JSON.parse runs no other code that could write it) instead of searching the text.
 */
function decodeObject(part: string): Record<string, unknown> | 'text' | 'json' {
  if (part.length > SCRATCH_BYTES) {
    const text = decodeText(part);
    return text === undefined ? 'text' : (parseJsonObject(text) ?? 'json');
  }
  const text = decodeText(part);
  if (text === undefined) return 'text';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'json';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'json';
  // decodeText left the text's bytes at the start of scratch: as many as the text has UTF-8 bytes.
  return hasDuplicateKeysInBytes(scratch, lastDecoded, value) ? 'json' : (value as Record<string, unknown>);
}

function hashToken(data: string | Uint8Array): string {
  // One-shot hash straight to text: no Hash object and no digest Buffer per call (about half the cost of
  // createHash for a token-sized input, and nothing for the GC to track).
  return hash('sha256', data, 'base64url');
}

/**
 * The verified-token cache key: SHA-256 of the token as 32 latin1 ('binary') characters, one per digest byte, which
 * node hands back cheaper than base64url text and the cache map hashes over fewer characters. SHA-256 is
 * the cheapest collision-resistant digest node has here (SHA-NI): sha512-256, BLAKE2 and MD5 measured slower.
 */
function cacheKey(token: string): string {
  return hash('sha256', token, 'binary');
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
  decodeTransient,
  decodeText,
  decodeObject,
  hashToken,
  cacheKey,
  digest,
};
