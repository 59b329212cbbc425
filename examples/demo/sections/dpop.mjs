import { createHash, createHmac } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { call, row } from '../lib.mjs';

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A client's key pair for DPoP proofs and its RFC 7638 thumbprint (the token's `cnf.jkt`). */
async function proofKey() {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

/** The claims of a proof (RFC 9449 §4.2): method, URL, time, a fresh jti and the hash of the token. */
const proofClaims = (htm, htu, token) => ({
  htm,
  htu,
  iat: Math.floor(Date.now() / 1000),
  jti: crypto.randomUUID(),
  ath: createHash('sha256').update(token).digest('base64url'),
});

/** A proof signed with `key`, as a client (or an attacker holding that key) makes it. */
const proof = (key, htm, htu, token) =>
  new SignJWT(proofClaims(htm, htu, token))
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })
    .sign(key.privateKey);

/** DPoP attacks against GET /orders/dpop, a route with `dpop: 'required'`. */
export default {
  title: 'DPoP-bound tokens (RFC 9449)',
  async run({ base, idp }) {
    const path = '/orders/dpop';
    const url = new URL(path, base).href;
    const client = await proofKey();
    const token = await idp.mint({ jkt: client.jkt });
    const dpop = (t, p) => ({ headers: { authorization: `DPoP ${t}`, dpop: p } });
    const rows = [];

    const genuine = await proof(client, 'GET', url, token);
    rows.push(row('genuine DPoP token + proof', '200', await call(base, path, dpop(token, genuine))));
    rows.push(
      row(
        'the same proof replayed',
        '401 DPOP_PROOF_REPLAYED',
        await call(base, path, dpop(token, genuine)),
        token,
      ),
    );
    rows.push(
      row(
        'proof made for another method (htm POST)',
        '401 DPOP_HTM_MISMATCH',
        await call(base, path, dpop(token, await proof(client, 'POST', url, token))),
        token,
      ),
    );
    rows.push(
      row(
        'proof made for another URL (htu /orders)',
        '401 DPOP_HTU_MISMATCH',
        await call(base, path, dpop(token, await proof(client, 'GET', new URL('/orders', base).href, token))),
        token,
      ),
    );

    // The thief has the token but not the client's private key: a proof signed with their own key.
    const thief = await proofKey();
    rows.push(
      row(
        "stolen token with the attacker's own key",
        '401 DPOP_KEY_MISMATCH',
        await call(base, path, dpop(token, await proof(thief, 'GET', url, token))),
        token,
      ),
    );
    // The downgrade: the stolen token sent as a plain bearer token, without any proof. GET /orders takes
    // bearer tokens, yet not one bound to a key; the DPoP route answers that it requires DPoP.
    const asBearer = { headers: { authorization: `Bearer ${token}` } };
    rows.push(
      row(
        'DPoP-bound token as Bearer (GET /orders)',
        '401 DPOP_BOUND_TOKEN_AS_BEARER',
        await call(base, '/orders', asBearer),
        token,
      ),
    );
    rows.push(
      row(
        'DPoP-bound token as Bearer (DPoP route)',
        '401 DPOP_REQUIRED',
        await call(base, path, asBearer),
        token,
      ),
    );
    const plain = await idp.mint();
    rows.push(
      row(
        'bearer token without cnf on the required route',
        '401 DPOP_REQUIRED',
        await call(base, path, { headers: { authorization: `Bearer ${plain}` } }),
        plain,
      ),
    );

    // Proofs nobody's private key signed: unsigned, and HMAC with a secret the attacker picks.
    const claims = b64(proofClaims('GET', url, token));
    const none = `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: client.jwk })}.${claims}.`;
    rows.push(
      row(
        'proof with alg "none"',
        '401 DPOP_ALG_NOT_ALLOWED',
        await call(base, path, dpop(token, none)),
        token,
      ),
    );
    const input = `${b64({ typ: 'dpop+jwt', alg: 'HS256', jwk: client.jwk })}.${claims}`;
    const hs256 = `${input}.${createHmac('sha256', 'attacker-secret').update(input).digest('base64url')}`;
    rows.push(
      row(
        'proof with alg HS256',
        '401 DPOP_ALG_NOT_ALLOWED',
        await call(base, path, dpop(token, hs256)),
        token,
      ),
    );
    return rows;
  },
};
