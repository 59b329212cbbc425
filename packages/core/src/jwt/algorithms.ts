import { ConfigError } from '../errors.js';

/** JWS algorithms bulwark accepts in an allowlist. `none` is not one of them and never will be. */
export type JwtAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'
  | 'HS256'
  | 'HS384'
  | 'HS512';

/**
 * An algorithm as an option names it. Editors suggest the {@link JwtAlgorithm} names; any string also
 * type-checks, so an options object kept in a `const` (where `['RS256']` widens to `string[]`) is accepted
 * as written, and the names are checked when the verifier is built (a ConfigError names the one that is not
 * an algorithm bulwark accepts).
 *
 * @example
 * const jwt = { algorithms: ['RS256'], issuer: 'https://id.example.com/', audience: 'orders', jwksUri };
 * createJwtVerifier(jwt); // algorithms: string[] fits readonly JwtAlgorithmName[]
 */
export type JwtAlgorithmName = JwtAlgorithm | (string & {});

/** What kind of key an algorithm needs (JWK `kty`, and `crv` where it is fixed). */
interface KeyRequirement {
  readonly kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  readonly crv?: string;
  /** Minimum key size: bits of RSA modulus, bytes of HMAC secret. */
  readonly min?: number;
}

/**
 * The key type each algorithm needs, and its minimum size.
 *
 * @example
 * ALGORITHM_KEYS.ES256 // { kty: 'EC', crv: 'P-256' }
 */
export const ALGORITHM_KEYS: Readonly<Record<JwtAlgorithm, KeyRequirement>> = {
  RS256: { kty: 'RSA', min: 2048 },
  RS384: { kty: 'RSA', min: 2048 },
  RS512: { kty: 'RSA', min: 2048 },
  PS256: { kty: 'RSA', min: 2048 },
  PS384: { kty: 'RSA', min: 2048 },
  PS512: { kty: 'RSA', min: 2048 },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
  // RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
  HS256: { kty: 'oct', min: 32 },
  HS384: { kty: 'oct', min: 48 },
  HS512: { kty: 'oct', min: 64 },
};

/**
 * True for the HMAC algorithms.
 *
 * @example
 * isSymmetric('HS256') // true
 */
export function isSymmetric(alg: JwtAlgorithm): boolean {
  return ALGORITHM_KEYS[alg].kty === 'oct';
}

/**
 * Validate an algorithm allowlist: non-empty, known names only, and symmetric and asymmetric algorithms
 * never mixed (mixing is what makes the RSA-public-key-as-HMAC-secret forgery possible).
 *
 * @example
 * checkAlgorithms('jwt.algorithms', ['RS256']) // ['RS256']
 */
export function checkAlgorithms(option: string, algorithms: unknown): readonly JwtAlgorithm[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new ConfigError(
      option,
      'an algorithm allowlist is required',
      "list the algorithms your issuer signs with, e.g. ['RS256']",
    );
  }
  const seen = new Set<JwtAlgorithm>();
  for (const [i, alg] of algorithms.entries()) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw new ConfigError(
        `${option}[${i}]`,
        "'none' means unsigned tokens anyone can forge",
        'list signing algorithms only, e.g. RS256 or ES256',
      );
    }
    if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHM_KEYS, alg)) {
      throw new ConfigError(
        `${option}[${i}]`,
        `unknown algorithm ${JSON.stringify(alg)}`,
        `use one of ${Object.keys(ALGORITHM_KEYS).join(', ')}`,
      );
    }
    seen.add(alg as JwtAlgorithm);
  }
  const list = [...seen];
  const symmetric = list.filter(isSymmetric);
  if (symmetric.length > 0 && symmetric.length !== list.length) {
    throw new ConfigError(
      option,
      `symmetric (${symmetric.join(', ')}) and asymmetric algorithms are mixed, which enables algorithm-confusion forgeries`,
      'use one verifier per key type',
    );
  }
  return list;
}
