import type { JWK } from 'jose';
import { decodeBase64Url } from '../encoding/base64url.js';
import { ALGORITHM_KEYS, type JwtAlgorithm } from './algorithms.js';
import type { JwtCryptoBackend } from './crypto-types.js';

/** A verification key bound to exactly one algorithm (RFC 8725 §3.1). */
export interface BoundKey {
  readonly kid: string | undefined;
  readonly alg: JwtAlgorithm;
  /** Backend key handle (a node KeyObject or a WebCrypto CryptoKey). */
  readonly handle: unknown;
  /** kid, alg and public key members: equal exactly when a refreshed JWKS publishes the same key again. */
  readonly fingerprint?: string;
}

/** Outcome of a key lookup: the key, or why there is none. */
export type KeyLookup = BoundKey | 'unknown-kid' | 'alg-mismatch' | 'ambiguous';

// RFC 7518 §6.3.2 and §6.4: every private member of every key type, multi-prime RSA's `oth` included.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
/** Ed25519 has two JWS names (RFC 8037 `EdDSA`, RFC 9864 `Ed25519`) for one signature scheme. */
const ED_NAMES: readonly JwtAlgorithm[] = ['EdDSA', 'Ed25519'];

/** The bit length of a base64url big-endian integer (leading zero bytes do not count); 0 when not one. */
function integerBits(s: unknown): number {
  const bytes = typeof s === 'string' ? decodeBase64Url(s) : undefined;
  if (bytes === undefined) return 0;
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** Why an RSA public key is too weak to trust, or undefined. */
function weakRsa(jwk: JWK): string | undefined {
  // The real modulus size: zero bytes in front of a 1024-bit `n` must not make it count as 2048 bits.
  if (integerBits(jwk.n) < 2048) return 'RSA key is shorter than 2048 bits';
  // e = 1 makes every message its own signature; an even e is not a valid RSA exponent.
  const e = typeof jwk.e === 'string' ? decodeBase64Url(jwk.e) : undefined;
  if (integerBits(jwk.e) < 2 || e === undefined || (e[e.length - 1]! & 1) === 0) {
    return 'RSA public exponent is not an odd number of at least 3';
  }
  return undefined;
}

/**
 * The algorithms a public JWK may verify under an allowlist, or why it may verify none. A key with an
 * `alg` is bound to it; a key without one is bound to the single allowed algorithm its type fits, and is
 * refused as ambiguous when several fit (an RSA key with RS256 and PS256 both allowed), so one key is
 * never used with two algorithms.
 *
 * @example
 * bindAlgorithms({ kty: 'EC', crv: 'P-256', x, y }, ['ES256']) // ['ES256']
 */
export function bindAlgorithms(jwk: JWK, allowed: readonly JwtAlgorithm[]): JwtAlgorithm[] | string {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') return 'not a JWK (no kty)';
  if (jwk.kty === 'oct') return 'is a symmetric (oct) JWK; pass HMAC secrets through the secret option';
  for (const m of PRIVATE_MEMBERS) if (m in jwk) return `contains private key material ("${m}")`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `is for use "${String(jwk.use)}", not "sig"`;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return 'key_ops does not include "verify"';
  }
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid.length > 256)) {
    return 'kid is not a string of at most 256 characters';
  }
  const fits = allowed.filter((alg) => {
    const need = ALGORITHM_KEYS[alg];
    return need.kty === jwk.kty && (need.crv === undefined || need.crv === jwk.crv);
  });
  const weak = jwk.kty === 'RSA' ? weakRsa(jwk) : undefined;
  if (weak !== undefined) return weak;
  if (jwk.alg !== undefined) {
    if (!fits.includes(jwk.alg as JwtAlgorithm)) {
      return `is pinned to alg ${String(jwk.alg)}, which is not an allowed algorithm for a ${jwk.kty} key`;
    }
    return ED_NAMES.includes(jwk.alg as JwtAlgorithm)
      ? fits.filter((a) => ED_NAMES.includes(a))
      : [jwk.alg as JwtAlgorithm];
  }
  if (fits.length === 0) {
    return `a ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''} key fits none of the algorithms ${allowed.join(', ')}`;
  }
  if (fits.some((a) => !ED_NAMES.includes(a)) && fits.length > 1) {
    return `has no alg and fits several allowed algorithms (${fits.join(', ')}); publish alg on the key or allow one of them`;
  }
  return fits;
}

/**
 * An imported set of bound keys with O(1) lookup by `kid`.
 *
 * @example
 * const set = await importKeySet(jwks.keys, ['RS256'], backend, (jwk, why) => log(why));
 * set.find(header.kid, header.alg);
 */
export class KeySet {
  private readonly byKid = new Map<string, BoundKey[]>();
  private readonly all: BoundKey[] = [];
  private readonly members = new Set<BoundKey>();
  private readonly byFingerprint = new Map<string, BoundKey>();
  /** Per algorithm: its only key when there is exactly one and it has no kid, else null. */
  private readonly unnamed = new Map<string, BoundKey | null>();

  constructor(keys: readonly BoundKey[]) {
    for (const key of keys) {
      this.all.push(key);
      this.members.add(key);
      if (key.fingerprint !== undefined) this.byFingerprint.set(key.fingerprint, key);
      this.unnamed.set(key.alg, this.unnamed.has(key.alg) || key.kid !== undefined ? null : key);
      if (key.kid === undefined) continue;
      const list = this.byKid.get(key.kid);
      if (list === undefined) this.byKid.set(key.kid, [key]);
      else list.push(key);
    }
  }

  get size(): number {
    return this.all.length;
  }

  /** True when `key` is one of this set's keys (what a cached verification is checked against). */
  has(key: BoundKey): boolean {
    return this.members.has(key);
  }

  /**
   * The key for a token whose `kid` names no key: the one key for `alg`, when it has no kid of its own.
   * A `kid` is a hint (RFC 7515 §4.1.4), and a key configured without one does not contradict it; a key
   * that has another kid does, and several keys are never tried in turn.
   */
  unnamedFor(alg: string): BoundKey | undefined {
    return this.unnamed.get(alg) ?? undefined;
  }

  /** The key of this set with this fingerprint, to carry over unchanged across a refresh. */
  withFingerprint(fingerprint: string): BoundKey | undefined {
    return this.byFingerprint.get(fingerprint);
  }

  /** The key for a token header; a token without `kid` needs exactly one key for its `alg`. */
  find(kid: string | undefined, alg: string): KeyLookup {
    const candidates = kid === undefined ? this.all : this.byKid.get(kid);
    if (candidates === undefined) return 'unknown-kid';
    let found: BoundKey | undefined;
    for (const key of candidates) {
      if (key.alg !== alg) continue;
      if (found !== undefined) return 'ambiguous';
      found = key;
    }
    if (found !== undefined) return found;
    return kid === undefined ? 'unknown-kid' : 'alg-mismatch';
  }
}

/** The public members that make a key what it is, per key type (RFC 7638 picks the same ones). */
const KEY_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'n'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};

/**
 * Identity of a bound key: its kid, its algorithm and its public key members. Two JWKS responses that
 * publish the same key give the same fingerprint; a kid re-used for new key material does not.
 *
 * @example
 * keyFingerprint({ kty: 'OKP', crv: 'Ed25519', x, kid: 'a' }, 'EdDSA')
 */
export function keyFingerprint(jwk: JWK, alg: JwtAlgorithm): string {
  const parts: unknown[] = [jwk.kid ?? null, alg, jwk.kty];
  for (const m of KEY_MEMBERS[jwk.kty as string] ?? [])
    parts.push((jwk as Record<string, unknown>)[m] ?? null);
  return JSON.stringify(parts);
}

/**
 * Import JWKs, each bound to its algorithm(s). Keys that cannot be used are skipped and reported through
 * `skip` (a JWKS may legitimately publish encryption keys or algorithms we do not accept). A key that
 * `previous` already holds is carried over as the same entry, so what was verified with it stays valid,
 * while a key that left the set is gone from the new one.
 *
 * @example
 * const set = await importKeySet(keys, ['ES256'], backend, () => {});
 */
export async function importKeySet(
  jwks: readonly JWK[],
  allowed: readonly JwtAlgorithm[],
  backend: JwtCryptoBackend,
  skip: (index: number, reason: string) => void,
  previous?: KeySet,
): Promise<KeySet> {
  const bound: BoundKey[] = [];
  for (const [i, jwk] of jwks.entries()) {
    const algs = bindAlgorithms(jwk, allowed);
    if (typeof algs === 'string') {
      skip(i, algs);
      continue;
    }
    for (const alg of algs) {
      const fingerprint = keyFingerprint(jwk, alg);
      const kept = previous?.withFingerprint(fingerprint);
      if (kept !== undefined) {
        bound.push(kept);
        continue;
      }
      try {
        bound.push({ kid: jwk.kid, alg, handle: await backend.importPublicJwk(jwk, alg), fingerprint });
      } catch (err) {
        skip(i, `cannot be imported for ${alg}: ${err instanceof Error ? err.message : 'invalid key'}`);
      }
    }
  }
  return new KeySet(bound);
}
