import { createHash, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { calculateJwkThumbprint } from 'jose';
import type { RequestLike } from '../src/http/request.js';
import { signRaw } from './jwt-fixtures.js';

export const API = 'https://api.test';

/** A client's proof key: the private key, its bare public JWK, and its thumbprint computed by jose. */
export interface ProofKey {
  readonly alg: 'ES256' | 'ES384' | 'EdDSA' | 'PS256' | 'RS256';
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
  readonly privateJwk: JWK;
  readonly jkt: string;
}

/** A new proof key for `alg`. */
export async function proofKey(alg: ProofKey['alg'] = 'ES256', modulusLength = 2048): Promise<ProofKey> {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'ES384'
        ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
        : alg === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength });
  const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  return {
    alg,
    privateKey: pair.privateKey,
    jwk,
    privateJwk: pair.privateKey.export({ format: 'jwk' }) as JWK,
    jkt: await calculateJwkThumbprint(jwk, 'sha256'),
  };
}

/** base64url SHA-256 of an access token: the `ath` of its proofs. */
export const ath = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Proof claims for a request, valid at `nowSec`. */
export function proofClaims(
  method: string,
  url: string,
  token: string,
  nowSec: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    jti: randomBytes(12).toString('base64url'),
    htm: method,
    htu: url,
    iat: nowSec,
    ath: ath(token),
    ...extra,
  };
}

/** A signed proof: `header` and `claims` override the defaults (undefined removes a member). */
export function makeProof(
  key: ProofKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  signWith: KeyObject = key.privateKey,
): string {
  const h = Object.fromEntries(
    Object.entries({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk, ...header }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const c = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  return signRaw(String(h.alg), signWith, h, c);
}

/** A request with an Authorization header and DPoP headers (several when given a list). */
export function dpopRequest(
  method: string,
  url: string,
  token: string,
  proof: string | readonly string[] | undefined,
  scheme = 'DPoP',
): RequestLike {
  const proofs = proof === undefined ? [] : typeof proof === 'string' ? [proof] : proof;
  return {
    method,
    url,
    header: (n) =>
      n === 'authorization'
        ? `${scheme} ${token}`
        : n === 'dpop' && proofs.length > 0
          ? proofs.join(', ')
          : undefined,
    headerValues: (n) => (n === 'dpop' ? proofs : n === 'authorization' ? [`${scheme} ${token}`] : []),
  };
}
