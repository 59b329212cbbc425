import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  dpopRequest,
  makeProof,
  type ProofKey,
  proofClaims,
  proofKey,
} from '../../test/dpop-fixtures.js';
import { AUDIENCE, ISSUER, type KeyPair, keyPair, token } from '../../test/jwt-fixtures.js';
import { createDpopVerifier } from '../dpop/verifier.js';
import { ConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createJwtAuthorizer } from './authorize.js';
import type { JwtVerifierOptions } from './options.js';
import { createJwtRoute, createJwtVerifier, type JwtVerdict } from './verifier.js';

const NOW = 1_900_000_000;
const clock = () => NOW * 1000;
let issuer: KeyPair;
let key: ProofKey;
let other: ProofKey;
let boundToken: string;
let plainToken: string;

beforeAll(async () => {
  issuer = keyPair('ES256', 'k1');
  key = await proofKey('ES256');
  other = await proofKey('ES256');
  boundToken = token(issuer, NOW, { cnf: { jkt: key.jkt } });
  plainToken = token(issuer, NOW);
});

type Extra = { [K in keyof JwtVerifierOptions]?: JwtVerifierOptions[K] | undefined };

function verifier(extra: Extra = {}, events: SecurityEvent[] = []) {
  return createJwtVerifier({
    algorithms: ['ES256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: [issuer.publicJwk],
    now: clock,
    onEvent: (e) => events.push(e),
    dpop: { externalUrl: API },
    ...extra,
  } as JwtVerifierOptions);
}

const bearer = (t: string, url = '/orders'): RequestLike => ({
  method: 'GET',
  url,
  header: (n) => (n === 'authorization' ? `Bearer ${t}` : undefined),
});
const proofFor = (t: string, k = key, method = 'GET', url = `${API}/orders`) =>
  makeProof(k, proofClaims(method, url, t, NOW));
const code = (v: JwtVerdict) => (v.ok ? 'ok' : (v.error?.code ?? 'answered'));
const challengeOf = (v: JwtVerdict) =>
  v.ok ? undefined : v.reply.headers.find(([n]) => n === 'www-authenticate')?.[1];

describe('createJwtVerifier with dpop: the route decides the schemes', () => {
  it('required: a bound token with its proof passes and the proof is handed over; bearer is refused', async () => {
    const v = verifier();
    const route = createJwtAuthorizer({ dpop: 'required' });
    const ok = await v.check(dpopRequest('GET', '/orders', boundToken, proofFor(boundToken)), route);
    expect(ok.ok && ok.dpop?.jkt).toBe(key.jkt);
    expect(ok.ok && ok.value?.sub).toBe('user-1');
    const asBearer = await v.check(bearer(plainToken), route);
    expect(code(asBearer)).toBe('DPOP_REQUIRED');
    expect(challengeOf(asBearer)).toBe('DPoP error="invalid_token", algs="ES256 EdDSA Ed25519 PS256 RS256"');
    const unbound = await v.check(dpopRequest('GET', '/orders', plainToken, proofFor(plainToken)), route);
    expect(code(unbound)).toBe('DPOP_TOKEN_NOT_BOUND');
  });

  it('a DPoP-bound token presented as Bearer is 401 in every mode, also without the dpop option', async () => {
    for (const mode of ['required', 'allowed', 'off'] as const) {
      const v = verifier();
      const verdict = await v.check(bearer(boundToken), createJwtAuthorizer({ dpop: mode }));
      expect(code(verdict)).toBe(mode === 'required' ? 'DPOP_REQUIRED' : 'DPOP_BOUND_TOKEN_AS_BEARER');
      expect(!verdict.ok && verdict.reply.status).toBe(401);
    }
    const plain = verifier({ dpop: undefined });
    const verdict = await plain.check(bearer(boundToken));
    expect(code(verdict)).toBe('DPOP_BOUND_TOKEN_AS_BEARER');
    expect(challengeOf(verdict)).toBe('Bearer error="invalid_token"');
    expect(code(await plain.check(bearer(plainToken)))).toBe('ok');
  });

  it('allowed: both schemes, challenges list both; off: the DPoP scheme is not read', async () => {
    const v = verifier();
    const allowed = createJwtAuthorizer({ dpop: 'allowed' });
    expect(code(await v.check(bearer(plainToken), allowed))).toBe('ok');
    const viaDpop = await v.check(dpopRequest('GET', '/orders', boundToken, proofFor(boundToken)), allowed);
    expect(viaDpop.ok && viaDpop.dpop?.jkt).toBe(key.jkt);
    const none: RequestLike = { method: 'GET', url: '/orders', header: () => undefined };
    expect(challengeOf(await v.check(none, allowed))).toBe(
      'Bearer, DPoP algs="ES256 EdDSA Ed25519 PS256 RS256"',
    );
    const expired = token(issuer, NOW - 1000, { cnf: { jkt: key.jkt } });
    const late = await v.check(dpopRequest('GET', '/orders', expired, proofFor(expired)), allowed);
    expect(code(late)).toBe('JWT_EXPIRED');
    expect(challengeOf(late)).toBe(
      'DPoP error="invalid_token", algs="ES256 EdDSA Ed25519 PS256 RS256", Bearer',
    );
    const off = await v.check(
      dpopRequest('GET', '/orders', boundToken, proofFor(boundToken)),
      createJwtAuthorizer({ dpop: 'off' }),
    );
    expect(code(off)).toBe('JWT_MISSING');
    expect(challengeOf(off)).toBe('Bearer');
  });

  it('the route default is the dpop mode, else off; scopes answer 403 with the DPoP challenge', async () => {
    const v = verifier({ dpop: { externalUrl: API, mode: 'required' } });
    expect(code(await v.check(bearer(plainToken)))).toBe('DPOP_REQUIRED');
    const admin = await v.check(
      dpopRequest('GET', '/orders', boundToken, proofFor(boundToken)),
      createJwtAuthorizer({ scopes: ['admin'] }),
    );
    expect(code(admin)).toBe('JWT_INSUFFICIENT_SCOPE');
    expect(challengeOf(admin)).toBe(
      'DPoP error="insufficient_scope", scope="admin", algs="ES256 EdDSA Ed25519 PS256 RS256"',
    );
  });

  it('proof failures keep their own codes: key substitution, ath of another token, wrong method', async () => {
    const v = verifier();
    const route = createJwtAuthorizer({ dpop: 'required' });
    const cases: [RequestLike, string][] = [
      [dpopRequest('GET', '/orders', boundToken, proofFor(boundToken, other)), 'DPOP_KEY_MISMATCH'],
      [dpopRequest('GET', '/orders', boundToken, proofFor(plainToken)), 'DPOP_ATH_MISMATCH'],
      [dpopRequest('POST', '/orders', boundToken, proofFor(boundToken)), 'DPOP_HTM_MISMATCH'],
      [dpopRequest('GET', '/orders', boundToken, undefined), 'DPOP_PROOF_MISSING'],
    ];
    for (const [req, expected] of cases) expect(code(await v.check(req, route))).toBe(expected);
  });

  it('a shared dpop verifier is used as given; nonce headers come back on success', async () => {
    const dpop = createDpopVerifier({ externalUrl: API, now: clock });
    const v = verifier({ dpop });
    expect(v.dpop).toBe(dpop);
    const proof = proofFor(boundToken);
    const route = createJwtAuthorizer({ dpop: 'allowed' });
    expect(code(await v.check(dpopRequest('GET', '/orders', boundToken, proof), route))).toBe('ok');
    expect(code(await v.check(dpopRequest('GET', '/orders', boundToken, proof), route))).toBe(
      'DPOP_PROOF_REPLAYED',
    );
  });

  it('configuration mistakes fail naming the option', async () => {
    expect(() => createJwtAuthorizer({ dpop: 'sometimes' as never })).toThrow(ConfigError);
    expect(() => createJwtAuthorizer({ dpop: 'required' }, { dpop: 'off' })).toThrow(/jwt\.route\.dpop/);
    expect(createJwtAuthorizer({ dpop: 'allowed' }, { dpop: 'required' }).dpop).toBe('required');
    expect(createJwtAuthorizer({ dpop: 'allowed' }, {}).dpop).toBe('allowed');
    const plain = verifier({ dpop: undefined });
    await expect(plain.check(bearer(plainToken), createJwtAuthorizer({ dpop: 'required' }))).rejects.toThrow(
      /jwt\.dpop/,
    );
    expect(() => verifier({ dpop: { externalUrl: 'not a url' } })).toThrow(/dpop\.externalUrl/);
  });

  it('createJwtRoute refuses, when the route is built, a DPoP mode the verifier cannot serve', () => {
    const plain = verifier({ dpop: undefined });
    for (const dpop of ['required', 'allowed'] as const) {
      expect(() => createJwtRoute(plain, { dpop })).toThrow(/^jwt\.dpop: a route asks for DPoP/);
      // Rules compiled from several levels are checked as combined.
      expect(() => createJwtRoute(plain, createJwtAuthorizer({ scopes: ['a'] }, { dpop }))).toThrow(
        ConfigError,
      );
    }
    expect(createJwtRoute(plain, { dpop: 'off', scopes: ['orders:read'] })?.dpop).toBe('off');
    expect(createJwtRoute(plain, { scopes: ['orders:read'] })).toBeTypeOf('function');
    expect(createJwtRoute(plain, undefined)).toBeUndefined();
    const withDpop = verifier({});
    expect(createJwtRoute(withDpop, { dpop: 'required' })?.dpop).toBe('required');
    const compiled = createJwtAuthorizer({ dpop: 'allowed' });
    expect(createJwtRoute(withDpop, compiled)).toBe(compiled);
  });
});

describe('docs/dpop.md says what the verifier answers a token sent as Bearer', () => {
  const doc = readFileSync(new URL('../../../../docs/dpop.md', import.meta.url), 'utf8');
  /** The table's answer for a route mode: [bound token as Bearer, token without cnf.jkt as Bearer]. */
  const documented = (label: string): [string, string] => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`'${label}'\``));
    expect(row, `docs/dpop.md has a downgrade table row for '${label}'`).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    const answer = (cell: string) =>
      cell === 'accepted' ? 'ok' : (/^401 `([A-Z_]+)`$/.exec(cell)?.[1] ?? cell);
    return [answer(cells[2]!), answer(cells[3]!)];
  };

  it('one row per mode, and a verifier without the dpop option answers as off', async () => {
    for (const mode of ['required', 'allowed', 'off'] as const) {
      const route = createJwtAuthorizer({ dpop: mode });
      const answers = [code(await verifier().check(bearer(boundToken), route))];
      answers.push(code(await verifier().check(bearer(plainToken), route)));
      expect(answers, mode).toEqual(documented(mode));
    }
    const plain = verifier({ dpop: undefined });
    expect([
      code(await plain.check(bearer(boundToken))),
      code(await plain.check(bearer(plainToken))),
    ]).toEqual(documented('off'));
  });

  it("'required' answers before verifying the token; the others verify it first", async () => {
    const expired = token(issuer, NOW - 1000, { cnf: { jkt: key.jkt } });
    const required = createJwtAuthorizer({ dpop: 'required' });
    expect(code(await verifier().check(bearer(expired), required))).toBe('DPOP_REQUIRED');
    expect(code(await verifier().check(bearer('not-a-jwt'), required))).toBe('DPOP_REQUIRED');
    const allowed = createJwtAuthorizer({ dpop: 'allowed', scopes: ['admin'] });
    expect(code(await verifier().check(bearer(expired), allowed))).toBe('JWT_EXPIRED');
    // Bound, valid, without the scope: the downgrade is refused before the scopes are looked at.
    expect(code(await verifier().check(bearer(boundToken), allowed))).toBe('DPOP_BOUND_TOKEN_AS_BEARER');
    expect(doc).toContain(
      'every `Bearer`\ncredential there, bound or not, valid or not, is 401 `DPOP_REQUIRED`',
    );
  });
});
