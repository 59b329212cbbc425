import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtApp, startIssuer } from './apps/jwt.js';
import { auditJson, type Running, runCli } from './helpers.js';
import { listen } from './helpers.js';

let idp: Awaited<ReturnType<typeof startIssuer>>;
let api: Running;
let token: string;
beforeAll(async () => {
  idp = await startIssuer();
  api = await listen(jwtApp(idp));
  token = await idp.mint();
});
afterAll(async () => {
  await api.close();
  await idp.close();
});

const jwtFindings = async (route: string, extra: string[] = []) => {
  const r = await auditJson([`${api.url}${route}`, '--token', token, '--jwks', idp.jwksUri, ...extra]);
  return { ...r, jwt: r.ids('jwt') };
};

describe('planted JWT mistakes are found', () => {
  it('jws.verify with the algorithm from the token: alg none and HS256 with the public key, nothing else', async () => {
    const r = await jwtFindings('/jws/orders');
    expect(r.jwt).toEqual(['jwt.alg-none', 'jwt.key-confusion']);
    const confusion = r.findings.find((f) => f.id === 'jwt.key-confusion');
    expect(confusion?.severity).toBe('critical');
    expect(confusion?.detail).toMatch(
      /HS256 signed with the issuer key "idp-1" \(SPKI PEM(?: without its last newline)?, from http:\/\/127\.0\.0\.1:\d+\/jwks\.json\)/,
    );
    expect(confusion?.evidence[0]?.request).toMatch(
      /authorization: Bearer <JWT header \{"typ":"JWT","kid":"idp-1","alg":"HS256"\}, signature redacted>/,
    );
    expect(r.findings.find((f) => f.id === 'jwt.alg-none')?.detail).toMatch(
      /^\{"alg":"none"\} with no signature was accepted/,
    );
  });

  it('jsonwebtoken.decode instead of verify: unsigned, stripped and wrong signatures; the rest is moot', async () => {
    const r = await jwtFindings('/decode/orders');
    expect(r.jwt).toEqual(['jwt.alg-none', 'jwt.signature-not-verified', 'jwt.signature-stripped']);
    expect(r.notChecked).toContainEqual(
      expect.objectContaining({ area: 'jwt', why: 'moot: the signature is not verified at all' }),
    );
    expect(r.notChecked).toContainEqual(
      expect.objectContaining({ why: 'moot: forged tokens were accepted, so an attacker sets any claims' }),
    );
  });

  it('kid read as a file path: ../../dev/null as an empty HMAC key', async () => {
    const r = await jwtFindings('/kid/orders');
    expect(r.jwt).toEqual(['jwt.kid-injection']);
    expect(r.findings.find((f) => f.id === 'jwt.kid-injection')?.detail).toMatch(
      /dev\/null" with HS256 signed with an empty key was accepted/,
    );
  });

  it('jose EmbeddedJWK: the audit’s own key in the jwk header', async () => {
    const r = await jwtFindings('/embedded/orders');
    expect(r.jwt).toEqual(['jwt.jwk-injection']);
  });

  it('keys fetched from the jku / x5u the token names, served by --key-server', async () => {
    const r = await jwtFindings('/jku/orders', ['--key-server', 'http://127.0.0.1:0']);
    expect(r.jwt).toEqual(['jwt.jku-injection']);
    const details = r.findings.filter((f) => f.id === 'jwt.jku-injection').map((f) => f.detail);
    expect(details).toEqual([
      expect.stringMatching(
        /^jku http:\/\/127\.0\.0\.1:\d+\/jwks\.json \(the audit's own JWKS\) was fetched and its key accepted$/,
      ),
      expect.stringMatching(
        /^x5u http:\/\/127\.0\.0\.1:\d+\/cert\.pem \(the audit's own certificate\) was fetched and its key accepted$/,
      ),
    ]);
    // Without the key server those two cannot be checked, and the report says so.
    const without = await jwtFindings('/jku/orders');
    expect(without.jwt).toEqual([]);
    expect(without.notChecked).toContainEqual(expect.objectContaining({ what: 'jku and x5u injection' }));
  });

  it('express-jwt reading ?token= and express’s default error page: token in the query and a stack trace', async () => {
    const r = await jwtFindings('/express-jwt/orders');
    expect(r.jwt).toEqual(['jwt.error-detail', 'jwt.error-leak', 'jwt.token-in-query']);
    expect(r.findings.find((f) => f.id === 'jwt.token-in-query')?.detail).toBe(
      'the genuine token in ?token= (no Authorization header) was accepted',
    );
    expect(r.findings.find((f) => f.id === 'jwt.error-leak')?.detail).toMatch(/carries a stack trace/);
    // The token never appears in the report, not even in the query-string evidence.
    const all = JSON.stringify(r.findings);
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]);
  });
});

describe('no false positives', () => {
  it('jsonwebtoken.verify without algorithms: v9 infers RS* from the key, no forgery passes', async () => {
    const r = await jwtFindings('/jsonwebtoken/orders');
    expect(r.jwt).toEqual([]);
  });

  it('the hardened twin (@bulwark/express requireJwt): no JWT finding, claims listed as not checked', async () => {
    const r = await jwtFindings('/bulwark/orders', ['--key-server', 'http://127.0.0.1:0']);
    expect(r.jwt).toEqual([]);
    expect(r.notChecked.filter((n) => n.area === 'jwt').map((n) => n.what)).toEqual([
      'expiry, not-before, audience, issuer, token type, scopes and revocation',
    ]);
    // Its authenticated response is checked for caching too: no-store is sent.
    expect(r.ids('headers')).not.toContain('headers.cache-authenticated');
  });
});

describe('what cannot be checked is said', () => {
  it('an expired token: the URL refuses it too', async () => {
    const expired = await idp.mint(-60);
    const r = await auditJson([`${api.url}/bulwark/orders`, '--token', expired]);
    expect(r.notChecked).toContainEqual(
      expect.objectContaining({
        area: 'jwt',
        why: expect.stringMatching(/refused the token too \(401\): pass a currently valid token/),
      }),
    );
  });

  it('no --token: one line says the JWT checks need one', async () => {
    const r = await auditJson([`${api.url}/bulwark/orders`]);
    expect(r.notChecked).toContainEqual({
      area: 'jwt',
      what: 'every JWT check',
      why: expect.stringMatching(/^no --token given/),
    });
  });

  it('an issuer host the user did not name is not contacted', async () => {
    // The API is named as localhost; the token's issuer is 127.0.0.1, which the user did not name.
    const r = await auditJson([`${api.url.replace('127.0.0.1', 'localhost')}/jws/orders`, '--token', token]);
    expect(r.notChecked).toContainEqual(
      expect.objectContaining({
        what: 'HS256 signed with the issuer public key',
        why: expect.stringMatching(/is not a host you named; add --allow-host 127\.0\.0\.1/),
      }),
    );
  });

  it('the token from BULWARK_AUDIT_TOKEN works like --token', async () => {
    const r = await runCli(['audit', `${api.url}/decode/orders`, '--json', '--fail-on', 'critical'], {
      env: { BULWARK_AUDIT_TOKEN: token },
    });
    expect(r.code).toBe(1);
  });
});
