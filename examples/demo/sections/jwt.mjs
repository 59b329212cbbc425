import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
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

    // An OIDC ID token from the same IdP: same issuer and signature, but not an access token (RFC 9068 typ).
    const idToken = await new SignJWT({ nonce: 'n', scope: 'orders:read orders:write' })
      .setProtectedHeader({ alg: 'RS256', kid: 'tour-1', typ: 'JWT' })
      .setSubject('alice')
      .setIssuer(idp.issuer)
      .setAudience(idp.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(idp.privateKey);
    rows.push(
      row(
        'ID token presented as an access token (typ)',
        '401 JWT_TYPE_INVALID',
        await call(base, '/orders', { headers: bearer(idToken) }),
      ),
    );

    const longLived = await idp.mint({ expiresIn: 30 * 24 * 3600 });
    rows.push(
      row(
        'token valid for 30 days (lifetime cap 1 h)',
        '401 JWT_LIFETIME_TOO_LONG',
        await call(base, '/orders', { headers: bearer(longLived) }),
      ),
    );

    const readOnly = await idp.mint({ claims: { scope: 'orders:read' } });
    rows.push(
      row(
        'read-only token placing an order (scope)',
        '403 JWT_INSUFFICIENT_SCOPE',
        await call(base, '/orders', {
          method: 'POST',
          headers: { ...bearer(readOnly), 'content-type': 'application/json' },
          body: '{"item":"book"}',
        }),
      ),
    );

    // Logout revokes the token; the stolen copy is refused on the very next request.
    const stolen = await idp.mint();
    const before = await call(base, '/orders', { headers: bearer(stolen) });
    const logout = await call(base, '/logout', { method: 'POST', headers: bearer(stolen) });
    const after = await call(base, '/orders', { headers: bearer(stolen) });
    rows.push(
      row(
        'revoked token replayed after logout',
        '401 JWT_REVOKED',
        before.status === 200 && logout.status === 204
          ? after
          : { ...after, status: 0, code: `setup ${before.status}/${logout.status}` },
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
