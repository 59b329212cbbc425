import { sha256Base64Url } from '../bytes/index.js';
import type { JWK } from 'jose';
import type { JwtAlgorithm } from '../jwt/algorithms.js';
import type { JwtCryptoBackend } from '../jwt/crypto-types.js';
import { bindAlgorithms } from '../jwt/keyset.js';

/** The members RFC 7638 §3.2 hashes, per key type, already in lexicographic order. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The RFC 7638 thumbprint input of a public JWK: its required members, in lexicographic order, as JSON
 * without whitespace; undefined when a required member is missing or not a string.
 *
 * @example
 * thumbprintInput({ kty: 'EC', crv: 'P-256', x, y, kid: 'k' }) // '{"crv":"P-256","kty":"EC","x":"…","y":"…"}'
 */
export function thumbprintInput(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = typeof jwk.kty === 'string' ? REQUIRED[jwk.kty] : undefined;
  if (members === undefined) return undefined;
  const picked: Record<string, string> = {};
  for (const m of members) {
    const v = jwk[m];
    if (typeof v !== 'string') return undefined;
    picked[m] = v;
  }
  // JSON.stringify escapes exactly as RFC 7638 §3.3 asks (RFC 8259 minimal escaping, no whitespace).
  return JSON.stringify(picked);
}

/**
 * RFC 7638 JWK SHA-256 thumbprint, base64url: what an authorization server puts in an access token's
 * `cnf.jkt` (RFC 9449 §6.1) for the key of the client's DPoP proofs.
 *
 * @example
 * const jkt = await jwkThumbprint(publicJwk); // compare with claims.cnf.jkt
 */
export async function jwkThumbprint(jwk: JWK | Readonly<Record<string, unknown>>): Promise<string> {
  const input = thumbprintInput(jwk as Readonly<Record<string, unknown>>);
  if (input === undefined) throw new TypeError('not an RSA, EC or OKP public JWK');
  return sha256Base64Url(input);
}

/** A proof key checked against the proof's `alg`, with its thumbprint. */
export interface ProofKey {
  readonly jwk: JWK;
  /** RFC 7638 thumbprint (base64url SHA-256). */
  readonly jkt: string;
}

/**
 * Check the `jwk` header of a DPoP proof (RFC 9449 §4.3 steps 5 and 7): a JSON object that is a public key
 * (no private member of any key type), of the type and curve `alg` needs, an RSA modulus of 2048 bits or
 * more, not pinned to another algorithm; then its thumbprint. Returns the reason when refused.
 *
 * @example
 * const key = await checkProofKey(header.jwk, 'ES256', backend);
 * if (typeof key === 'string') return refuse(key);
 */
export function checkProofKey(
  jwk: unknown,
  alg: JwtAlgorithm,
  backend: JwtCryptoBackend,
): ProofKey | string | Promise<ProofKey | string> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'the header has no jwk object';
  const why = bindAlgorithms(jwk as JWK, [alg]);
  if (typeof why === 'string') return `jwk ${why}`;
  const input = thumbprintInput(jwk as Readonly<Record<string, unknown>>);
  if (input === undefined) return 'jwk lacks a required public member';
  // hashToken is base64url(SHA-256(text)): the thumbprint, synchronously on node.
  const jkt = backend.hashToken(input);
  return typeof jkt === 'string'
    ? { jwk: jwk as JWK, jkt }
    : jkt.then((value) => ({ jwk: jwk as JWK, jkt: value }));
}
