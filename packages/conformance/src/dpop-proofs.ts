import {
  constants,
  createHash,
  createHmac,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';

/** The external URL every conformance app is configured with (trusted configuration, not its address). */
export const DPOP_EXTERNAL_URL = 'https://api.conformance.test';

/** A client's DPoP key pair: the private key, the bare public JWK and its RFC 7638 thumbprint. */
export interface DpopKey {
  readonly alg: 'ES256' | 'EdDSA' | 'PS256';
  readonly privateKey: KeyObject;
  readonly jwk: JsonWebKey;
  /** The private JWK (for the "private key in jwk" attack). */
  readonly privateJwk: JsonWebKey;
  readonly jkt: string;
}

const b64 = (v: string | Uint8Array): string => Buffer.from(v).toString('base64url');

/**
 * RFC 7638 thumbprint, written here from the RFC (the verifier's own implementation is what is under test).
 *
 * @example
 * thumbprint({ kty: 'EC', crv: 'P-256', x, y })
 */
export function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'OKP'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
        : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/**
 * A new DPoP key pair.
 *
 * @example
 * const key = makeDpopKey('ES256');
 */
export function makeDpopKey(alg: DpopKey['alg'] = 'ES256'): DpopKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  return {
    alg,
    privateKey: pair.privateKey,
    jwk,
    privateJwk: pair.privateKey.export({ format: 'jwk' }),
    jkt: thumbprint(jwk),
  };
}

/** base64url SHA-256 of an access token: the `ath` of its proofs. */
export const athOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** What to put in one proof: the defaults are a valid proof for `method` `url` and `token`, now. */
export interface ProofSpec {
  method: string;
  /** The full URL the proof is for (its `htu`). */
  url: string;
  /** The access token (its hash is `ath`); `null` leaves `ath` out. */
  token: string | null;
  /** Header members to override (`undefined` removes one). */
  header?: Record<string, unknown>;
  /** Claims to override (`undefined` removes one). */
  claims?: Record<string, unknown>;
  /** Sign as this algorithm with this key (HS256 takes a secret). */
  signAs?: { alg: string; key: KeyObject | Uint8Array };
}

const drop = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * A signed DPoP proof, raw: any header and claims, signed with node:crypto (so attacks the client helper
 * would never produce can be made).
 *
 * @example
 * const proof = signProof(key, { method: 'GET', url: 'https://api.example.com/orders', token });
 */
export function signProof(key: DpopKey, spec: ProofSpec): string {
  const alg = spec.signAs?.alg ?? key.alg;
  const header = drop({ typ: 'dpop+jwt', alg, jwk: key.jwk, ...spec.header });
  const claims = drop({
    jti: randomBytes(16).toString('base64url'),
    htm: spec.method,
    htu: spec.url,
    iat: Math.floor(Date.now() / 1000),
    ...(spec.token === null ? {} : { ath: athOf(spec.token) }),
    ...spec.claims,
  });
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const signer = spec.signAs?.key ?? key.privateKey;
  let signature: Uint8Array;
  if (alg.startsWith('HS'))
    signature = createHmac('sha256', signer as Uint8Array)
      .update(input)
      .digest();
  else if (alg.toLowerCase() === 'none') signature = new Uint8Array(0);
  else if (alg === 'EdDSA') signature = sign(null, Buffer.from(input), signer as KeyObject);
  else if (alg === 'ES256')
    signature = sign('sha256', Buffer.from(input), { key: signer as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'PS256')
    signature = sign('sha256', Buffer.from(input), {
      key: signer as KeyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
  else signature = sign('sha256', Buffer.from(input), signer as KeyObject);
  return `${input}.${b64(signature)}`;
}
