import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IdTokenExpectations, tokenHash, validateIdToken } from './id-token.js';

const ISSUER = 'https://id.example.com';
const NOW = 1_700_000_000_000;
const nowSec = NOW / 1000;
let privateKey: CryptoKey;
let otherKey: CryptoKey;
let keys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
});

const expectations: IdTokenExpectations = {
  issuer: ISSUER,
  clientId: 'web',
  algorithms: ['RS256'],
  nonce: 'n-1',
  clockTolerance: 5,
  now: () => NOW,
};

async function sign(claims: Record<string, unknown>, key = privateKey, alg = 'RS256'): Promise<string> {
  return new SignJWT({
    iss: ISSUER,
    aud: 'web',
    sub: 'alice',
    iat: nowSec,
    exp: nowSec + 300,
    nonce: 'n-1',
    ...claims,
  })
    .setProtectedHeader({ alg, kid: 'k1' })
    .sign(key);
}

async function reason(token: string, expect: Partial<IdTokenExpectations> = {}): Promise<string> {
  const r = await validateIdToken(token, keys, { ...expectations, ...expect });
  return Array.isArray(r) ? `${r[0].code}: ${r[1]}` : 'ok';
}

describe('validateIdToken (OIDC Core 3.1.3.7)', () => {
  it('accepts a valid token', async () => {
    expect(await reason(await sign({}))).toBe('ok');
  });

  it('checks signature, issuer, audience, expiry and iat', async () => {
    expect(await reason(await sign({}, otherKey))).toMatch(/^OAUTH_ID_TOKEN_INVALID/);
    expect(await reason(await sign({ iss: 'https://evil.example' }))).toMatch(/ID_TOKEN_INVALID.*iss/);
    expect(await reason(await sign({ aud: 'other' }))).toMatch(/ID_TOKEN_INVALID.*aud/);
    expect(await reason(await sign({ exp: nowSec - 10 }))).toMatch(/ID_TOKEN_INVALID.*exp/);
    expect(await reason(await sign({ iat: nowSec + 120 }))).toMatch(/ID_TOKEN_INVALID.*iat/);
    expect(await reason(await sign({ iat: nowSec - 3600, exp: nowSec + 60 }))).toMatch(
      /ID_TOKEN_INVALID.*iat/,
    );
    expect(await reason(await sign({ sub: undefined }))).toMatch(/ID_TOKEN_INVALID/);
  });

  it('refuses an algorithm outside the allowlist, including HS256 keyed with a public value', async () => {
    const hs = await new SignJWT({
      iss: ISSUER,
      aud: 'web',
      sub: 'a',
      iat: nowSec,
      exp: nowSec + 60,
      nonce: 'n-1',
    })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await reason(hs)).toMatch(/^OAUTH_ID_TOKEN_INVALID/);
    const [, payload] = (await sign({})).split('.');
    const none = `${btoa(JSON.stringify({ alg: 'none' })).replace(/=+$/, '')}.${payload}.`;
    expect(await reason(none)).toMatch(/^OAUTH_ID_TOKEN_INVALID/);
  });

  it('requires azp with several audiences, and azp to name this client', async () => {
    expect(await reason(await sign({ aud: ['web', 'api'] }))).toMatch(/no azp/);
    expect(await reason(await sign({ aud: ['web', 'api'], azp: 'web' }))).toBe('ok');
    expect(await reason(await sign({ aud: ['web', 'api'], azp: 'api' }))).toMatch(/azp is another client/);
    expect(await reason(await sign({ azp: 'other' }))).toMatch(/azp is another client/);
  });

  it('requires the nonce that was sent', async () => {
    expect(await reason(await sign({ nonce: 'n-2' }))).toMatch(/^OAUTH_NONCE_MISMATCH/);
    expect(await reason(await sign({ nonce: undefined }))).toMatch(/^OAUTH_NONCE_MISMATCH/);
  });

  it('checks at_hash against the access token that came with it', async () => {
    const at = 'access-token-value';
    expect(await reason(await sign({ at_hash: await tokenHash('RS256', at) }), { accessToken: at })).toBe(
      'ok',
    );
    expect(
      await reason(await sign({ at_hash: await tokenHash('RS256', 'other') }), { accessToken: at }),
    ).toMatch(/at_hash does not match/);
    expect(await reason(await sign({ at_hash: 'x' }))).toMatch(/no access token/);
  });

  it('checks auth_time against max_age', async () => {
    expect(await reason(await sign({ auth_time: nowSec - 30 }), { maxAge: 60 })).toBe('ok');
    expect(await reason(await sign({ auth_time: nowSec - 600 }), { maxAge: 60 })).toMatch(
      /older than max_age/,
    );
    expect(await reason(await sign({}), { maxAge: 60 })).toMatch(/lacks auth_time/);
  });

  it('on refresh, requires the same subject', async () => {
    expect(await reason(await sign({}), { nonce: undefined, subject: 'alice' })).toBe('ok');
    expect(await reason(await sign({ sub: 'bob' }), { nonce: undefined, subject: 'alice' })).toMatch(
      /sub changed/,
    );
  });

  it('refuses an access token (typ at+jwt, RFC 9068) or a logout token presented as an ID Token', async () => {
    const accessToken = (typ: string) =>
      new SignJWT({ iss: ISSUER, aud: 'web', sub: 'alice', iat: nowSec, exp: nowSec + 300, nonce: 'n-1' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ })
        .sign(privateKey);
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'logout+jwt', 'secevent+jwt']) {
      expect(await reason(await accessToken(typ))).toMatch(/^OAUTH_ID_TOKEN_INVALID.*typ/);
      expect(await reason(await accessToken(typ), { nonce: undefined, subject: 'alice' })).toMatch(
        /^OAUTH_ID_TOKEN_INVALID.*typ/,
      );
    }
    expect(await reason(await accessToken('JWT'))).toBe('ok');
    expect(await reason(await accessToken('application/jwt'))).toBe('ok');
  });

  it('computes at_hash as the left half of the hash (OIDC Core 3.1.3.6)', async () => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc')));
    expect(await tokenHash('RS256', 'abc')).toBe(Buffer.from(digest.subarray(0, 16)).toString('base64url'));
    expect((await tokenHash('ES512', 'abc'))?.length).toBe(43);
    expect(await tokenHash('HS256', 'abc')).toBeUndefined();
  });
});
