// Keys, tokens and the node:crypto floor shared by the JWT benchmarks (bench/jwt.mjs and the A/B tools in
// bench/jwt-ab/), so every tool verifies the very same kind of token against the very same floor.
import {
  createHmac,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  timingSafeEqual,
  verify,
} from 'node:crypto';

export const ISSUER = 'https://issuer.bench/';
export const AUDIENCE = 'https://api.bench';

export function b64(v) {
  return Buffer.from(v).toString('base64url');
}

/** An access token's claims, issued now (or `iat` seconds given), valid for 3000 s. */
export function claimsAt(now = Math.floor(Date.now() / 1000)) {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 3000,
    jti: 'j-1',
    scope: 'orders:read',
  };
}

/** Sign with node:crypto so every library verifies the very same bytes. */
export function sign(alg, key, header, claims) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const data = Buffer.from(input);
  let sig;
  if (alg === 'HS256') sig = createHmac('sha256', key).update(data).digest();
  else if (alg === 'EdDSA') sig = nodeSign(null, data, key);
  else if (alg === 'ES256') sig = nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  else sig = nodeSign('sha256', data, key);
  return `${input}.${b64(sig)}`;
}

/** A fresh key for `alg`: the verify key, its PEM (or the HMAC secret) and its public JWK. */
export function material(alg) {
  if (alg === 'HS256') {
    const secret = randomBytes(32);
    return { alg, secret, signKey: secret, verifyKey: secret, pem: secret, jwk: undefined };
  }
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    alg,
    signKey: pair.privateKey,
    verifyKey: pair.publicKey,
    pem: pair.publicKey.export({ type: 'spki', format: 'pem' }),
    jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid: `${alg}-1`, alg, use: 'sig' },
  };
}

/** A token for `m` with `claims`; the header carries `typ: at+jwt` unless `typ` is false. */
export function tokenFor(m, claims = claimsAt(), typ = true) {
  const header = { alg: m.alg, ...(typ ? { typ: 'at+jwt' } : {}), ...(m.jwk ? { kid: m.jwk.kid } : {}) };
  return sign(m.alg, m.signKey, header, claims);
}

/**
 * The crypto floor: split, decode the signature, verify; no JSON, no claims. Each key in the form node
 * verifies fastest: an HMAC secret as a KeyObject (a Buffer key costs ~7x more per call on Node 24), an RSA
 * key bare (PKCS#1 v1.5 is the default; a { key, padding } object costs ~2% on Node 20 and ~40% on Node 24).
 */
export function floor(alg, key) {
  if (alg === 'HS256') {
    const secret = createSecretKey(key);
    return (token) => {
      const i = token.lastIndexOf('.');
      const mac = createHmac('sha256', secret).update(token.slice(0, i)).digest();
      const sig = Buffer.from(token.slice(i + 1), 'base64url');
      return sig.length === mac.length && timingSafeEqual(mac, sig);
    };
  }
  const opts = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  const digest = alg === 'EdDSA' ? null : 'sha256';
  return (token) => {
    const i = token.lastIndexOf('.');
    return verify(
      digest,
      Buffer.from(token.slice(0, i), 'latin1'),
      opts,
      Buffer.from(token.slice(i + 1), 'base64url'),
    );
  };
}
