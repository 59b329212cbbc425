import { CompactSign, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64Url } from '../encoding/base64url.js';
import { cryptoBackend } from '../jwt/crypto-backend.js';
import type { KeySource } from '../jwt/jwks.js';
import { buildKeySource } from '../jwt/keys.js';
import { backend as webBackend } from '../jwt/crypto-web.js';
import { type IdTokenExpectations, tokenHash, validateIdToken } from './id-token.js';

const ISSUER = 'https://id.example.com';
const NOW = 1_700_000_000_000;
const nowSec = NOW / 1000;
let privateKey: CryptoKey;
let otherKey: CryptoKey;
let keys: KeySource;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  publicJwk = jwk;
  // The key source the verifier uses for static keys: the same lookup and algorithm binding.
  keys = buildKeySource('test', { keys: [jwk] }, ['RS256'], undefined, {
    backend: cryptoBackend,
    jwks: {},
    onEvent: undefined,
    now: () => NOW,
  });
});

const expectations: IdTokenExpectations = {
  issuer: ISSUER,
  clientId: 'web',
  algorithms: ['RS256'],
  nonce: 'n-1',
  clockToleranceSeconds: 5,
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

/** A token whose header and payload JSON are exactly these texts (jose would re-serialise them). */
async function signText(header: string, payload: string): Promise<string> {
  const input = `${encodeBase64Url(new TextEncoder().encode(header))}.${encodeBase64Url(new TextEncoder().encode(payload))}`;
  const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, new TextEncoder().encode(input));
  return `${input}.${encodeBase64Url(new Uint8Array(sig))}`;
}

const base = `"iss":"${ISSUER}","aud":"web","iat":${nowSec},"exp":${nowSec + 300},"nonce":"n-1"`;

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
      /ID_TOKEN_INVALID.*older than/,
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

  it('refuses a repeated claim or header member instead of taking the last one (as access tokens do)', async () => {
    const header = '{"alg":"RS256","kid":"k1"}';
    expect(await reason(await signText(header, `{${base},"sub":"alice"}`))).toBe('ok');
    expect(await reason(await signText(header, `{${base},"sub":"alice","sub":"admin"}`))).toMatch(
      /^OAUTH_ID_TOKEN_INVALID.*unique members/,
    );
    expect(await reason(await signText(header, `{${base},"sub":"alice","s\\u0075b":"admin"}`))).toMatch(
      /^OAUTH_ID_TOKEN_INVALID.*unique members/,
    );
    expect(
      await reason(await signText('{"alg":"RS256","kid":"k1","kid":"k2"}', `{${base},"sub":"alice"}`)),
    ).toMatch(/^OAUTH_ID_TOKEN_INVALID.*repeats a member/);
    // jose's CompactSign signs the bytes as given: the same refusal for a token a library produced.
    const dup = await new CompactSign(new TextEncoder().encode(`{${base},"sub":"a","sub":"b"}`))
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(privateKey);
    expect(await reason(dup)).toMatch(/^OAUTH_ID_TOKEN_INVALID/);
  });

  it('refuses auth_time in the future, with or without max_age, and a non-numeric one', async () => {
    expect(await reason(await sign({ auth_time: nowSec + 3600 }), { maxAgeSeconds: 60 })).toMatch(
      /auth_time is in the future/,
    );
    expect(await reason(await sign({ auth_time: nowSec + 3600 }))).toMatch(/auth_time is in the future/);
    expect(await reason(await sign({ auth_time: nowSec + 4 }), { maxAgeSeconds: 60 })).toBe('ok');
    expect(await reason(await sign({ auth_time: String(nowSec) }), { maxAgeSeconds: 60 })).toMatch(
      /auth_time is not a number/,
    );
  });

  it('gives the same answers on the WebCrypto back end', async () => {
    const token = await sign({});
    const web = buildKeySource('test', { keys: [publicJwk] }, ['RS256'], undefined, {
      backend: webBackend,
      jwks: {},
      onEvent: undefined,
      now: () => NOW,
    });
    expect(Array.isArray(await validateIdToken(token, web, expectations, webBackend))).toBe(false);
    const dup = await signText('{"alg":"RS256","kid":"k1"}', `{${base},"sub":"a","sub":"b"}`);
    expect(Array.isArray(await validateIdToken(dup, web, expectations, webBackend))).toBe(true);
  });

  it('checks auth_time against max_age', async () => {
    expect(await reason(await sign({ auth_time: nowSec - 30 }), { maxAgeSeconds: 60 })).toBe('ok');
    expect(await reason(await sign({ auth_time: nowSec - 600 }), { maxAgeSeconds: 60 })).toMatch(
      /older than max_age/,
    );
    expect(await reason(await sign({}), { maxAgeSeconds: 60 })).toMatch(/lacks auth_time/);
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
    expect(await tokenHash('constructor', 'abc')).toBeUndefined();
    for (const alg of ['RS256', 'PS384', 'ES512', 'EdDSA']) {
      expect(await tokenHash(alg, 'abc', webBackend)).toBe(await tokenHash(alg, 'abc', cryptoBackend));
    }
  });
});
