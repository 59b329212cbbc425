import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, type KeyPair, keyPair, signRaw, token } from '../../test/jwt-fixtures.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { jwtCheckNow } from '../toolkit/index.js';
import { createJwtAuthorizer, type JwtAuthorizer } from './authorize.js';
import { cryptoBackend } from './crypto-backend.js';
import { backend as webBackend } from './crypto-web.js';
import type { JwtCryptoBackend } from './crypto-types.js';
import { createJwtVerifierWith, type JwtVerifier } from './verifier.js';

// jwtCheckNow (issue 18): check()'s decision without a promise when nothing had to be waited for, so an
// adapter can refuse without a microtask hop. It must answer exactly what check() answers.

const NOW = Math.floor(Date.now() / 1000);
const b64 = (v: string) => Buffer.from(v).toString('base64url');
const request = (authorization: string | undefined): RequestLike => ({
  method: 'GET',
  url: '/orders',
  header: (n) => (n === 'authorization' ? authorization : undefined),
});

let rsa: KeyPair;
beforeAll(() => {
  rsa = keyPair('RS256', 'k1');
});

function verifier(backend: JwtCryptoBackend, events: SecurityEvent[]): JwtVerifier {
  return createJwtVerifierWith(
    {
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [rsa.publicJwk],
      now: () => NOW * 1000,
      onEvent: (e) => events.push(e),
    },
    backend,
  );
}

/** Every kind of answer: refusals of each stage, an allowed token, an optional route, a scope refusal. */
function cases(): [string, string | undefined, JwtAuthorizer | undefined][] {
  const algNone = `${b64('{"alg":"none","typ":"JWT"}')}.${b64(JSON.stringify({ sub: 'u', iss: ISSUER, aud: AUDIENCE }))}.`;
  return [
    ['no token', undefined, undefined],
    ['malformed', 'Bearer not.a-valid.token', undefined],
    ['not a b64token', 'Bearer a$b.c.d', undefined],
    ['alg none', `Bearer ${algNone}`, undefined],
    ['expired', `Bearer ${token(rsa, NOW - 3600)}`, undefined],
    ['forged', `Bearer ${token(rsa, NOW).slice(0, -4)}AAAA`, undefined],
    [
      'foreign audience',
      `Bearer ${signRaw('RS256', rsa.privateKey, { alg: 'RS256', kid: 'k1' }, { iss: ISSUER, aud: 'x', sub: 'u', exp: NOW + 60 })}`,
      undefined,
    ],
    ['valid', `Bearer ${token(rsa, NOW)}`, undefined],
    ['valid, scope missing', `Bearer ${token(rsa, NOW)}`, createJwtAuthorizer({ scopes: ['orders:write'] })],
    ['valid, scope held', `Bearer ${token(rsa, NOW)}`, createJwtAuthorizer({ scopes: ['orders:read'] })],
    ['optional, anonymous', undefined, createJwtAuthorizer({ optional: true })],
  ];
}

describe('jwtCheckNow', () => {
  it('is offered by every verifier createJwtVerifier builds, and by nothing else', () => {
    expect(typeof jwtCheckNow(verifier(cryptoBackend, []))).toBe('function');
    expect(jwtCheckNow({ check: async () => ({ ok: true }) } as unknown as JwtVerifier)).toBeUndefined();
  });

  it('answers without a promise on the node back end once its keys are loaded, exactly what check() answers, with the same events', async () => {
    const viaCheck: SecurityEvent[] = [];
    const viaNow: SecurityEvent[] = [];
    const checked = verifier(cryptoBackend, viaCheck);
    const settled = verifier(cryptoBackend, viaNow);
    const now = jwtCheckNow(settled)!;
    // The first key lookup may load the keys (a promise); from then on nothing waits.
    expect((await now(request(`Bearer ${token(rsa, NOW)}`))).ok).toBe(true);
    await checked.check(request(`Bearer ${token(rsa, NOW)}`));
    for (const [name, authorization, route] of cases()) {
      viaCheck.length = 0;
      viaNow.length = 0;
      const expected = await checked.check(request(authorization), route);
      const answer = now(request(authorization), route);
      expect(answer instanceof Promise, name).toBe(false);
      expect(answer, name).toEqual(expected);
      expect(
        viaNow.map((e) => [e.type, e.code]),
        name,
      ).toEqual(viaCheck.map((e) => [e.type, e.code]));
    }
  });

  it('continues through a promise where a step waits (WebCrypto), with the same answers', async () => {
    for (const [name, authorization, route] of cases()) {
      const expected = await verifier(webBackend, []).check(request(authorization), route);
      const answer = jwtCheckNow(verifier(webBackend, []))!(request(authorization), route);
      expect(await answer, name).toEqual(expected);
    }
    const valid = jwtCheckNow(verifier(webBackend, []))!(request(`Bearer ${token(rsa, NOW)}`));
    expect(valid).toBeInstanceOf(Promise);
  });

  it('a route needing DPoP from a verifier without it: check() rejects, the settled check throws the same error', async () => {
    const v = verifier(cryptoBackend, []);
    const route = createJwtAuthorizer({ dpop: 'required' });
    const rejected = await v.check(request(undefined), route).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((rejected as Error).message).toMatch(/dpop/);
    expect(() => jwtCheckNow(v)!(request(undefined), route)).toThrow((rejected as Error).message);
  });
});
