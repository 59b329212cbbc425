// JWT verification: bulwark's verifier (node:crypto back end, picked by the `node` import condition) against
// jose jwtVerify (pre-imported key), fast-jwt (cache off and on), jsonwebtoken and the bare node:crypto floor,
// for RS256, ES256, EdDSA and HS256; the verified-token cache; and the deny paths that must cost no crypto.
// Groups are timed on process CPU time (clock: 'cpu'): no case waits on I/O, and WebCrypto's work on the
// thread pool is process CPU time too. On a shared machine at a load of 40+ the wall clock measured the
// scheduler more than the code.
// Contract: see bench/README.md.
import { hash } from 'node:crypto';
import { compare, ensure } from './lib/micro.mjs';
import { AUDIENCE, ISSUER, b64, claimsAt, floor, material, tokenFor } from './lib/jwt-material.mjs';

export const title = 'JWT verification';
export const peers = ['jose', 'fast-jwt', 'jsonwebtoken'];

export async function run({ smoke }) {
  const { createJwtVerifier } = await import('@bulwark/core');
  const jose = await import('jose');
  const { createVerifier } = await import('fast-jwt');
  const jsonwebtoken = (await import('jsonwebtoken')).default;
  const now = Math.floor(Date.now() / 1000);
  const claims = claimsAt(now);
  const rows = [];
  const notes = [];
  const ok = (name, r) =>
    ensure(
      r === true ||
        r?.ok === true ||
        (r && typeof r === 'object' && r.sub === 'user-1') ||
        r?.payload?.sub === 'user-1',
      `${name} verified`,
    );

  for (const alg of ['RS256', 'ES256', 'EdDSA', 'HS256']) {
    const m = material(alg);
    const token = tokenFor(m, claims);
    const keyOpts = alg === 'HS256' ? { secret: m.secret } : { keys: [m.jwk] };
    const bulwark = createJwtVerifier({
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      ...keyOpts,
    });
    ensure(bulwark.backend === 'node', 'bulwark uses the node:crypto back end');
    const joseKey = alg === 'HS256' ? m.secret : await jose.importJWK(m.jwk, alg);
    const joseOpts = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt' };
    const fastAlg = alg === 'EdDSA' ? 'EdDSA' : alg;
    const fast = createVerifier({
      key: m.pem,
      algorithms: [fastAlg],
      allowedIss: ISSUER,
      allowedAud: AUDIENCE,
      cache: false,
    });
    const cases = {
      'bulwark verifyToken': () => bulwark.verifyToken(token),
      'node:crypto floor': (() => {
        const f = floor(alg, m.verifyKey);
        return () => f(token);
      })(),
      'fast-jwt (cache off)': () => fast(token),
      'jose jwtVerify (pre-imported key)': () => jose.jwtVerify(token, joseKey, joseOpts),
    };
    if (alg !== 'EdDSA') {
      cases.jsonwebtoken = () =>
        jsonwebtoken.verify(token, m.pem, { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE });
    } else {
      notes.push('jsonwebtoken does not support EdDSA; it is left out of the EdDSA group.');
    }
    rows.push(...(await compare(`verify ${alg}`, cases, { smoke, clock: 'cpu', check: ok })));
  }

  // The verified-token cache, against fast-jwt's: the same token sent again and again.
  {
    const m = material('RS256');
    const token = tokenFor(m, claims);
    const cached = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [m.jwk],
      cache: true,
    });
    const fastCached = createVerifier({
      key: m.pem,
      algorithms: ['RS256'],
      allowedIss: ISSUER,
      allowedAud: AUDIENCE,
      cache: true,
    });
    rows.push(
      ...(await compare(
        'verify RS256, repeated token (cache on)',
        {
          'bulwark (cache on)': () => cached.verifyToken(token),
          'fast-jwt (cache on)': () => fastCached(token),
          // The floor of a hit: the cache key, SHA-256 of the whole token as core computes it (crypto-node.ts
          // cacheKey), awaited as the public verifyToken is. Keying the cache by the token's text instead would
          // keep every cached bearer token readable in the heap, so the hash stays and a hit cannot go below it.
          'floor: SHA-256 of the token (crypto.hash), awaited': async () =>
            hash('sha256', token, 'binary').length === 32,
        },
        { smoke, clock: 'cpu', check: ok },
      )),
    );
  }

  // Deny paths: refused before any crypto. First case = the denial, second = the allow path it is
  // compared with, so the ratio reads "the denial is N x cheaper".
  {
    const m = material('RS256');
    const good = tokenFor(m, claims);
    const v = createJwtVerifier({ algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, keys: [m.jwk] });
    const none = `${b64('{"alg":"none","typ":"JWT"}')}.${b64(JSON.stringify(claims))}.`;
    const malformed = 'eyJhbGciOiJSUzI1NiJ9.not base64!.x';
    // Signed with the right key, expired: refused on its claims, before the signature check.
    const expired = tokenFor(m, { ...claims, iat: now - 4000, exp: now - 1000 });
    const denied = (code) => (name, r) =>
      ensure(name.includes('allow') ? r.ok : r.error?.code === code, `${name} answered as intended`);
    rows.push(
      ...(await compare(
        'deny: alg none vs allow',
        { 'bulwark alg none': () => v.verifyToken(none), 'bulwark allow RS256': () => v.verifyToken(good) },
        { smoke, clock: 'cpu', check: denied('JWT_ALG_NOT_ALLOWED') },
      )),
      ...(await compare(
        'deny: malformed vs allow',
        {
          'bulwark malformed': () => v.verifyToken(malformed),
          'bulwark allow RS256': () => v.verifyToken(good),
        },
        { smoke, clock: 'cpu', check: denied('JWT_MALFORMED') },
      )),
      ...(await compare(
        'deny: expired vs allow',
        {
          'bulwark expired': () => v.verifyToken(expired),
          'bulwark allow RS256': () => v.verifyToken(good),
        },
        { smoke, clock: 'cpu', check: denied('JWT_EXPIRED') },
      )),
    );
  }
  return { rows, notes };
}
