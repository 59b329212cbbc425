import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import { ConfigError } from '../errors.js';
import { ALGORITHM_KEYS, isSymmetric, type JwtAlgorithm } from './algorithms.js';

/** Where a verifier gets its keys. Exactly one of these. */
export interface JwtKeyOptions {
  /** Static public keys: a JWK Set, one JWK, or a list of JWKs. */
  keys?: JSONWebKeySet | JWK | readonly JWK[];
  /** JWKS endpoint of the issuer (https). Fetched and cached by jose. */
  jwksUri?: string | URL;
  /** HMAC secret for HS* algorithms: at least as long as the hash output (32 bytes for HS256). */
  secret?: string | Uint8Array;
}

/** What jose's `jwtVerify` takes as a key argument. */
export type KeyInput = Parameters<typeof import('jose').jwtVerify>[1];

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

function byteLengthOfBase64Url(s: string): number {
  return Math.floor((s.replace(/=+$/, '').length * 3) / 4);
}

function checkJwk(option: string, jwk: JWK, algorithms: readonly JwtAlgorithm[]): void {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') {
    throw new ConfigError(option, 'is not a JWK (no kty)', 'pass public JWKs as published by your issuer');
  }
  if (jwk.kty === 'oct') {
    throw new ConfigError(option, 'is a symmetric (oct) JWK', 'pass HMAC secrets through the secret option');
  }
  for (const member of PRIVATE_MEMBERS) {
    if (member in jwk) {
      throw new ConfigError(
        option,
        `contains private key material ("${member}")`,
        'pass public keys only; keep private keys in the issuer',
      );
    }
  }
  if (jwk.alg !== undefined && !algorithms.includes(jwk.alg as JwtAlgorithm)) {
    throw new ConfigError(
      option,
      `is pinned to alg ${jwk.alg}, which is not in algorithms`,
      `add ${jwk.alg} to algorithms or remove this key`,
    );
  }
  const fits = algorithms.some((alg) => {
    const need = ALGORITHM_KEYS[alg];
    return need.kty === jwk.kty && (need.crv === undefined || need.crv === jwk.crv);
  });
  if (!fits) {
    throw new ConfigError(
      option,
      `a ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''} key fits none of the algorithms ${algorithms.join(', ')}`,
      'list the algorithm this key is meant for, or remove the key',
    );
  }
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string' && byteLengthOfBase64Url(jwk.n) * 8 < 2048) {
    throw new ConfigError(option, 'RSA key is shorter than 2048 bits', 'use a key of 2048 bits or more');
  }
}

/**
 * Check the key options against the algorithm allowlist and build what jose verifies with.
 * Every problem is a ConfigError at construction.
 */
export function buildKeyInput(
  option: string,
  options: JwtKeyOptions,
  algorithms: readonly JwtAlgorithm[],
): KeyInput {
  const given = (['keys', 'jwksUri', 'secret'] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw new ConfigError(
      option,
      given.length === 0 ? 'no key source' : `several key sources (${given.join(', ')})`,
      'set exactly one of keys, jwksUri or secret',
    );
  }
  const symmetric = isSymmetric(algorithms[0]!);
  if (options.secret !== undefined) {
    if (!symmetric) {
      throw new ConfigError(
        `${option}.secret`,
        'an HMAC secret was given for asymmetric algorithms',
        'use keys or jwksUri for RS/PS/ES/EdDSA',
      );
    }
    const bytes =
      typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
    const need = Math.max(...algorithms.map((a) => ALGORITHM_KEYS[a].min ?? 0));
    if (bytes.length < need) {
      throw new ConfigError(
        `${option}.secret`,
        `is ${bytes.length} bytes, shorter than the ${need} bytes ${algorithms.join('/')} needs`,
        `use a random secret of at least ${need} bytes`,
      );
    }
    return bytes;
  }
  if (symmetric) {
    throw new ConfigError(
      option,
      'HS* algorithms need an HMAC secret',
      'set secret, or list asymmetric algorithms for public keys',
    );
  }
  if (options.jwksUri !== undefined) {
    let url: URL;
    try {
      url = new URL(options.jwksUri);
    } catch {
      throw new ConfigError(`${option}.jwksUri`, 'is not a URL', 'use the https URL of the issuer JWKS');
    }
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new ConfigError(
        `${option}.jwksUri`,
        'is not https, so anyone on the path could swap the keys',
        'use an https URL',
      );
    }
    return createRemoteJWKSet(url, {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 3_600_000,
    });
  }
  const raw = options.keys!;
  const list: readonly JWK[] = Array.isArray(raw)
    ? raw
    : 'keys' in (raw as object)
      ? (raw as JSONWebKeySet).keys
      : [raw as JWK];
  if (list.length === 0) throw new ConfigError(`${option}.keys`, 'is empty', 'pass at least one public JWK');
  for (const [i, jwk] of list.entries()) checkJwk(`${option}.keys[${i}]`, jwk, algorithms);
  return createLocalJWKSet({ keys: list as JWK[] });
}
