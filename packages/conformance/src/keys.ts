import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';

export const ISSUER = 'https://issuer.conformance.test/';
export const AUDIENCE = 'https://api.conformance.test';

/** Key material for the JWT scenarios, generated once per test file. */
export interface TestKeys {
  rsa: { privateKey: CryptoKey; publicJwk: JWK; publicPem: string };
  ec: { privateKey: CryptoKey; publicJwk: JWK };
}

export async function makeTestKeys(): Promise<TestKeys> {
  const rsa = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  return {
    rsa: {
      privateKey: rsa.privateKey,
      publicJwk: { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      publicPem: await exportSPKI(rsa.publicKey),
    },
    ec: {
      privateKey: ec.privateKey,
      publicJwk: { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    },
  };
}

export interface MintOptions {
  alg?: 'RS256' | 'ES256';
  kid?: string;
  claims?: Record<string, unknown>;
  issuer?: string;
  audience?: string | string[];
  /** Seconds relative to now. */
  expiresIn?: number;
  notBefore?: number;
}

/** Sign a token the way a real issuer would. */
export async function mint(keys: TestKeys, options: MintOptions = {}): Promise<string> {
  const alg = options.alg ?? 'RS256';
  const key = alg === 'RS256' ? keys.rsa : keys.ec;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: 'orders:read', ...options.claims })
    .setProtectedHeader({ alg, kid: options.kid ?? key.publicJwk.kid!, typ: 'at+jwt' })
    .setSubject('user-123')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setJti(crypto.randomUUID())
    .setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(key.privateKey);
}

const b64url = (v: string | Uint8Array) => Buffer.from(v).toString('base64url');

/** An unsigned token (`alg` none, or a case variant of it). */
export function unsigned(claims: Record<string, unknown>, alg = 'none'): string {
  return `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`;
}

/** The classic algorithm-confusion forgery: HS256 keyed with the RSA public key's PEM text. */
export async function hmacWithPublicKey(pem: string, claims: Record<string, unknown>): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const signingInput = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }))}.${b64url(JSON.stringify(claims))}`;
  return `${signingInput}.${createHmac('sha256', pem).update(signingInput).digest('base64url')}`;
}

/** Standard claims for forged tokens: valid in every way except the signature. */
export function validClaims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'attacker',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 300,
    scope: 'orders:read admin',
  };
}
