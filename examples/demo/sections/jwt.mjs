import { createHmac } from 'node:crypto';
import { row, call } from '../lib.mjs';

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Bearer-JWT attacks against GET /orders. */
export default {
  title: 'JWT bearer tokens',
  async run({ base, idp }) {
    const bearer = (t) => ({ authorization: `Bearer ${t}` });
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'mallory', iss: idp.issuer, aud: idp.audience, iat: now, exp: now + 300 };
    const rows = [];

    const good = await idp.mint();
    rows.push(row('genuine RS256 token', '200', await call(base, '/orders', { headers: bearer(good) })));
    rows.push(row('no token', '401 JWT_MISSING', await call(base, '/orders')));

    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    rows.push(
      row(
        'alg "none" (unsigned token)',
        '401 JWT_ALG_NOT_ALLOWED',
        await call(base, '/orders', { headers: bearer(none) }),
        none,
      ),
    );

    // The classic forgery: HS256 with the IdP's public key (which anyone can download) as the HMAC secret.
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    const confused = `${input}.${createHmac('sha256', idp.publicPem).update(input).digest('base64url')}`;
    rows.push(
      row(
        'HS256 signed with the RSA public key',
        '401 JWT_ALG_NOT_ALLOWED',
        await call(base, '/orders', { headers: bearer(confused) }),
        confused,
      ),
    );

    const [h, , s] = good.split('.');
    const tampered = `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`;
    rows.push(
      row(
        'payload changed (sub=admin), signature kept',
        '401 JWT_SIGNATURE_INVALID',
        await call(base, '/orders', { headers: bearer(tampered) }),
      ),
    );

    const expired = await idp.mint({ expiresIn: -120 });
    rows.push(
      row('expired token', '401 JWT_EXPIRED', await call(base, '/orders', { headers: bearer(expired) })),
    );

    const otherAud = await idp.mint({ audience: 'https://billing.example.com' });
    rows.push(
      row(
        'token minted for another API (aud)',
        '401 JWT_AUDIENCE_MISMATCH',
        await call(base, '/orders', { headers: bearer(otherAud) }),
      ),
    );

    const otherIss = await idp.mint({ issuer: 'https://evil.example.com/' });
    rows.push(
      row(
        'token from another issuer (iss)',
        '401 JWT_ISSUER_MISMATCH',
        await call(base, '/orders', { headers: bearer(otherIss) }),
      ),
    );

    rows.push(
      row(
        'token in the query string',
        '400 JWT_TOKEN_IN_QUERY',
        await call(base, `/orders?access_token=${good}`),
        good,
      ),
    );
    return rows;
  },
};
