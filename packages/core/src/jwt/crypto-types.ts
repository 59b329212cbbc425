import type { JWK } from 'jose';
import type { JwtAlgorithm } from './algorithms.js';

/**
 * The signature back end, chosen by the `#jwt-crypto` import condition: `node` gets node:crypto KeyObjects
 * with synchronous verification (several times faster than WebCrypto on Node 20), every other runtime
 * gets WebCrypto. Both implement this contract; the verifier never sniffs the runtime itself.
 */
export interface JwtCryptoBackend {
  /** Import a public JWK for exactly one algorithm. Rejects keys that do not fit it. */
  importPublicJwk(jwk: JWK, alg: JwtAlgorithm): Promise<unknown>;
  /** Import an HMAC secret for exactly one HS* algorithm. */
  importSecret(secret: Uint8Array, alg: JwtAlgorithm): Promise<unknown>;
  /** Verify `signature` over the ASCII `signingInput`. Never throws: bad input is `false`. */
  verify(
    alg: JwtAlgorithm,
    key: unknown,
    signingInput: string,
    signature: Uint8Array,
  ): boolean | Promise<boolean>;
  /** Strict base64url decoding (canonical only, see `decodeBase64Url`), native where the runtime has it. */
  decode(part: string): Uint8Array | undefined;
  /**
   * `decode` into memory the back end reuses (node: a signature-sized scratch buffer, no allocation): the
   * bytes are good until the next call, so a caller that waits before using them copies them first.
   * Absent, callers use `decode`.
   */
  decodeTransient?(part: string): Uint8Array | undefined;
  /** Strict base64url then fatal UTF-8 decoding. */
  decodeText(part: string): string | undefined;
  /**
   * `decodeText`, then the JSON object of the text with unique member names (`parseJsonObject`), in one step
   * where the back end can do it cheaper (node: the duplicate check reads the decoded bytes). `'text'`: not
   * canonical base64url UTF-8; `'json'`: not a JSON object with unique members. Absent, callers do both.
   */
  decodeObject?(part: string): Record<string, unknown> | 'text' | 'json';
  /**
   * base64url SHA-256 of a token (UTF-8) or of bytes: the key of the verified-token cache, a PKCE challenge,
   * DPoP `ath` and thumbprints, an RFC 8705 certificate thumbprint.
   */
  hashToken(data: string | Uint8Array): string | Promise<string>;
  /**
   * The key of the verified-token cache: SHA-256 of the token in whatever text form the back end makes
   * fastest (node: the 32 digest bytes as latin1 text, no base64 step). Only ever compared with keys of the
   * same back end.
   */
  cacheKey(token: string): string | Promise<string>;
  /** SHA-2 digest of a UTF-8 string (ID Token `at_hash`): synchronous where the runtime allows. */
  digest(hash: 'SHA-256' | 'SHA-384' | 'SHA-512', text: string): Uint8Array | Promise<Uint8Array>;
  /** Which implementation this is, for events and benchmarks. */
  readonly name: 'node' | 'webcrypto';
}

/**
 * Hash name of an algorithm's digest.
 *
 * @example
 * hashOf('PS384') // 'SHA-384'
 */
export function hashOf(alg: JwtAlgorithm): 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined {
  if (alg === 'EdDSA' || alg === 'Ed25519') return undefined;
  const bits = alg.slice(2);
  return bits === '384' ? 'SHA-384' : bits === '512' ? 'SHA-512' : 'SHA-256';
}

/**
 * The public members of a JWK, without `alg`/`use`/`key_ops`/`ext` that importers cross-check.
 *
 * @example
 * publicMembers({ kty: 'EC', crv: 'P-256', x, y, alg: 'ES256' }) // { kty, crv, x, y }
 */
export function publicMembers(jwk: JWK): JsonWebKey {
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n!, e: jwk.e! };
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv!, x: jwk.x!, y: jwk.y! };
  return { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x! };
}
