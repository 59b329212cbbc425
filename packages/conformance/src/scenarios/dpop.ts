import {
  createDpopClient,
  createJwtVerifier,
  createMemoryReplayStore,
  type JwtVerifier,
  type ReplayStore,
} from '@bulwark/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DPOP_EXTERNAL_URL, type DpopKey, makeDpopKey, signProof } from '../dpop-proofs.js';
import type { AdapterHarness, RunningApp } from '../harness.js';
import { call, type HttpResult } from '../http.js';
import { AUDIENCE, ISSUER, makeTestKeys, mint, type TestKeys } from '../keys.js';
import { scenarioGroup } from '../scenario.js';

/** Where the DPoP group keeps used proofs: a fresh store per app, and the same backend for a second instance. */
export interface DpopReplayBackend {
  /** Shown in test names: `memory`, `redis`. */
  readonly name: string;
  /** A store; called once per app instance (two instances of one app get two calls). */
  make(): ReplayStore | Promise<ReplayStore>;
  /**
   * Whether two `make()` stores share their entries (Redis: yes, through the server). The memory backend
   * hands a second instance the first one's store object, which is what sharing means in one process.
   */
  readonly shared: boolean;
  /** Called after each group (a later group may `make()` again). */
  close?(): Promise<void>;
}

const memoryBackend: DpopReplayBackend = {
  name: 'memory',
  make: () => createMemoryReplayStore(),
  shared: false,
};

const ALGS = 'ES256 EdDSA Ed25519 PS256 RS256';
const url = (path: string) => `${DPOP_EXTERNAL_URL}${path}`;

/** The verifier every adapter's DPoP routes use. */
export function dpopSpec(keys: TestKeys, replay: ReplayStore, nonceSecret?: string): JwtVerifier {
  return createJwtVerifier({
    algorithms: ['RS256', 'ES256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: [keys.rsa.publicJwk, keys.ec.publicJwk],
    dpop: {
      externalUrl: DPOP_EXTERNAL_URL,
      replay,
      ...(nonceSecret !== undefined ? { nonce: { secret: nonceSecret } } : {}),
    },
  });
}

function expectRefused(res: HttpResult, status: number, code: string, secrets: readonly string[] = []): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect((res.json() as { code: string }).code).toBe(code);
  // Nothing of the token or the proof is echoed, in the body or a header.
  const all = `${res.text}\n${JSON.stringify(res.headers)}`;
  for (const secret of secrets) {
    for (const part of secret.split('.').filter((p) => p.length > 8)) expect(all).not.toContain(part);
  }
}

/**
 * DPoP (RFC 9449) scenarios, the attacks of §11 and the downgrades among them, over real HTTP: every
 * adapter must answer them identically, with every replay backend.
 */
export function dpopScenarios(harness: AdapterHarness, backend: DpopReplayBackend = memoryBackend): void {
  scenarioGroup(harness, 'dpop', `DPoP (${backend.name} replay store)`, () => {
    let keys: TestKeys;
    let app: RunningApp;
    let second: RunningApp;
    let key: DpopKey;
    let bound: string;
    let plain: string;

    beforeAll(async () => {
      keys = await makeTestKeys();
      key = makeDpopKey('ES256');
      const store = await backend.make();
      app = await harness.start({ dpop: dpopSpec(keys, store) });
      // Another instance of the same API behind the same load balancer.
      second = await harness.start({
        dpop: dpopSpec(keys, backend.shared ? await backend.make() : store),
      });
      bound = await mint(keys, { claims: { cnf: { jkt: key.jkt } } });
      plain = await mint(keys);
    });
    afterAll(async () => {
      await app?.close();
      await second?.close();
      await backend.close?.();
    });

    const send = (
      target: RunningApp,
      path: string,
      token: string,
      proofs: string | readonly string[] | undefined,
      init: { method?: string; scheme?: string } = {},
    ) => {
      const headers = ['authorization', `${init.scheme ?? 'DPoP'} ${token}`];
      for (const p of proofs === undefined ? [] : typeof proofs === 'string' ? [proofs] : proofs)
        headers.push('dpop', p);
      return call(target.url, path, { method: init.method ?? 'GET', headers });
    };
    const proof = (path: string, extra: Partial<Parameters<typeof signProof>[1]> = {}, k = key) =>
      signProof(k, { method: 'GET', url: url(path), token: bound, ...extra });

    it('accepts a bound token with its proof and hands the proof key to the route', async () => {
      const res = await send(app, '/dpop/required', bound, proof('/dpop/required'));
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual({ sub: 'user-123', jkt: key.jkt });
      const post = await send(app, '/dpop/required', bound, proof('/dpop/required', { method: 'POST' }), {
        method: 'POST',
      });
      expect(post.status, post.text).toBe(200);
    });

    it("accepts proofs made by bulwark's client helper, the scheme and the key in any case", async () => {
      const client = createDpopClient();
      const token = await mint(keys, { claims: { cnf: { jkt: await client.thumbprint() } } });
      const p = await client.proof('GET', url('/dpop/required'), { accessToken: token });
      const res = await send(app, '/dpop/required', token, p, { scheme: 'dpop' });
      expect(res.status, res.text).toBe(200);
    });

    it('refuses a replayed proof, on the same instance and on another one (§11.1)', async () => {
      const p = proof('/dpop/required');
      expect((await send(app, '/dpop/required', bound, p)).status).toBe(200);
      expectRefused(await send(app, '/dpop/required', bound, p), 401, 'DPOP_PROOF_REPLAYED', [p, bound]);
      expectRefused(await send(second, '/dpop/required', bound, p), 401, 'DPOP_PROOF_REPLAYED');
      const q = proof('/dpop/required');
      const both = await Promise.all([
        send(app, '/dpop/required', bound, q),
        send(second, '/dpop/required', bound, q),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('refuses a proof for another method or another URL (§11.1)', async () => {
      expectRefused(
        await send(app, '/dpop/required', bound, proof('/dpop/required', { method: 'POST' })),
        401,
        'DPOP_HTM_MISMATCH',
      );
      expectRefused(
        await send(app, '/dpop/required', bound, proof('/dpop/required', { method: 'get' })),
        401,
        'DPOP_HTM_MISMATCH',
      );
      for (const htu of [
        url('/dpop/allowed'),
        'https://other.conformance.test/dpop/required',
        'http://api.conformance.test/dpop/required',
        `${DPOP_EXTERNAL_URL}:8443/dpop/required`,
        // The address the app really listens on: the external URL is configuration, not the Host header.
        `${app.url}/dpop/required`,
      ]) {
        expectRefused(
          await send(app, '/dpop/required', bound, proof('/dpop/required', { url: htu })),
          401,
          'DPOP_HTU_MISMATCH',
        );
      }
    });

    it('normalises htu as §4.3 says: case, default port, trailing dot, dot segments, escapes, query', async () => {
      for (const htu of [
        'HTTPS://API.Conformance.TEST/dpop/required',
        'https://api.conformance.test:443/dpop/required',
        'https://api.conformance.test./dpop/required',
        'https://api.conformance.test/dpop/./x/../required',
        'https://api.conformance.test/%64pop/required',
        'https://api.conformance.test/dpop/required?page=2#top',
      ]) {
        const res = await send(app, '/dpop/required?other=1', bound, proof('/dpop/required', { url: htu }));
        expect(res.status, `${htu}: ${res.text}`).toBe(200);
      }
    });

    it('refuses a stolen token without its key: as Bearer, without a proof, with the thief’s proof (§11.3)', async () => {
      expectRefused(
        await send(app, '/dpop/required', bound, undefined, { scheme: 'Bearer' }),
        401,
        'DPOP_REQUIRED',
      );
      for (const path of ['/dpop/allowed', '/dpop/off']) {
        const res = await send(app, path, bound, undefined, { scheme: 'Bearer' });
        expectRefused(res, 401, 'DPOP_BOUND_TOKEN_AS_BEARER', [bound]);
      }
      expectRefused(await send(app, '/dpop/required', bound, undefined), 401, 'DPOP_PROOF_MISSING');
      const thief = makeDpopKey('ES256');
      expectRefused(
        await send(app, '/dpop/required', bound, proof('/dpop/required', {}, thief)),
        401,
        'DPOP_KEY_MISMATCH',
      );
    });

    it("refuses key substitution: the victim's jwk with the thief's signature, and another token's key", async () => {
      const thief = makeDpopKey('ES256');
      const forged = proof('/dpop/required', { signAs: { alg: 'ES256', key: thief.privateKey } });
      expectRefused(await send(app, '/dpop/required', bound, forged), 401, 'DPOP_SIGNATURE_INVALID');
      const theirs = await mint(keys, { claims: { cnf: { jkt: thief.jkt } } });
      const mixed = signProof(thief, { method: 'GET', url: url('/dpop/required'), token: bound });
      expectRefused(await send(app, '/dpop/required', theirs, mixed), 401, 'DPOP_ATH_MISMATCH');
      const rsa = makeDpopKey('PS256');
      const swapped = proof('/dpop/required', { header: { jwk: rsa.jwk } });
      expectRefused(await send(app, '/dpop/required', bound, swapped), 401, 'DPOP_KEY_INVALID');
    });

    it('refuses pre-generated proofs: iat outside the window either way (§11.2)', async () => {
      const now = Math.floor(Date.now() / 1000);
      expectRefused(
        await send(app, '/dpop/required', bound, proof('/dpop/required', { claims: { iat: now - 3600 } })),
        401,
        'DPOP_PROOF_EXPIRED',
      );
      expectRefused(
        await send(app, '/dpop/required', bound, proof('/dpop/required', { claims: { iat: now + 3600 } })),
        401,
        'DPOP_PROOF_NOT_YET_VALID',
      );
      expectRefused(
        await send(app, '/dpop/required', bound, proof('/dpop/required', { claims: { iat: `${now}` } })),
        401,
        'DPOP_PROOF_MALFORMED',
      );
    });

    it('refuses a proof whose ath is another token’s, or missing', async () => {
      expectRefused(
        await send(app, '/dpop/required', bound, proof('/dpop/required', { token: plain })),
        401,
        'DPOP_ATH_MISMATCH',
      );
      expectRefused(
        await send(app, '/dpop/required', bound, proof('/dpop/required', { token: null })),
        401,
        'DPOP_ATH_MISMATCH',
      );
    });

    it('refuses a private key in jwk, alg none and HMAC proofs, and the wrong typ', async () => {
      const priv = proof('/dpop/required', { header: { jwk: key.privateJwk } });
      expectRefused(await send(app, '/dpop/required', bound, priv), 401, 'DPOP_KEY_INVALID', [priv]);
      for (const alg of ['none', 'None']) {
        const unsigned = proof('/dpop/required', {
          signAs: { alg, key: new Uint8Array(0) },
          header: { alg },
        });
        expectRefused(await send(app, '/dpop/required', bound, unsigned), 401, 'DPOP_ALG_NOT_ALLOWED');
      }
      const hs = proof('/dpop/required', {
        signAs: { alg: 'HS256', key: Buffer.from(JSON.stringify(key.jwk)) },
      });
      expectRefused(await send(app, '/dpop/required', bound, hs), 401, 'DPOP_ALG_NOT_ALLOWED');
      for (const typ of ['JWT', 'at+jwt', undefined]) {
        const res = await send(app, '/dpop/required', bound, proof('/dpop/required', { header: { typ } }));
        expectRefused(res, 401, 'DPOP_PROOF_TYPE_INVALID');
      }
    });

    it('refuses oversized proofs before decoding them, two DPoP headers and two proofs in one', async () => {
      const big = proof('/dpop/required', { claims: { pad: 'x'.repeat(9000) } });
      expectRefused(await send(app, '/dpop/required', bound, big), 401, 'DPOP_PROOF_TOO_LARGE');
      const a = proof('/dpop/required');
      const b = proof('/dpop/required');
      expectRefused(await send(app, '/dpop/required', bound, [a, b]), 400, 'DPOP_PROOF_MULTIPLE');
      expectRefused(await send(app, '/dpop/required', bound, `${a}, ${b}`), 400, 'DPOP_PROOF_MULTIPLE');
      expectRefused(await send(app, '/dpop/required', bound, `${a} ${b}`), 400, 'DPOP_PROOF_MULTIPLE');
    });

    it('answers garbage in the DPoP header with a coded 4xx, never a 5xx', async () => {
      const cases: [string, number, string][] = [
        ['not-a-jwt', 401, 'DPOP_PROOF_MALFORMED'],
        ['a.b.c', 401, 'DPOP_PROOF_MALFORMED'],
        ['....', 401, 'DPOP_PROOF_MALFORMED'],
        [`${proof('/dpop/required').slice(0, -4)}!!!!`, 401, 'DPOP_PROOF_MALFORMED'],
        // A header without alg: nothing to check the signature with.
        [`e30.e30.${'A'.repeat(86)}`, 401, 'DPOP_ALG_NOT_ALLOWED'],
        ['x\ty', 400, 'DPOP_PROOF_MULTIPLE'],
      ];
      for (const [value, status, code] of cases) {
        expectRefused(await send(app, '/dpop/required', bound, value), status, code);
      }
      // Leading and trailing whitespace is not part of a header value (RFC 9110 §5.5): the proof stands.
      const res = await send(app, '/dpop/required', bound, `  ${proof('/dpop/required')}\t`);
      expect(res.status, res.text).toBe(200);
    });

    it('refuses the downgrades: an unbound token with DPoP, a bearer token where DPoP is required', async () => {
      const unbound = signProof(key, { method: 'GET', url: url('/dpop/required'), token: plain });
      expectRefused(await send(app, '/dpop/required', plain, unbound), 401, 'DPOP_TOKEN_NOT_BOUND');
      expectRefused(
        await send(app, '/dpop/required', plain, undefined, { scheme: 'Bearer' }),
        401,
        'DPOP_REQUIRED',
      );
      const ok = await send(app, '/dpop/allowed', plain, undefined, { scheme: 'Bearer' });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.json()).toEqual({ sub: 'user-123', jkt: null });
      const off = await send(app, '/dpop/off', bound, proof('/dpop/off'));
      expectRefused(off, 401, 'JWT_MISSING');
      expect(off.headers['www-authenticate']).toBe('Bearer');
    });

    it('challenges name DPoP with its algorithms, and Bearer beside it where both are allowed', async () => {
      const required = await send(app, '/dpop/required', bound, 'not-a-jwt');
      expect(required.headers['www-authenticate']).toBe(`DPoP error="invalid_dpop_proof", algs="${ALGS}"`);
      const allowed = await send(app, '/dpop/allowed', bound, 'not-a-jwt');
      expect(allowed.headers['www-authenticate']).toBe(
        `DPoP error="invalid_dpop_proof", algs="${ALGS}", Bearer`,
      );
      const none = await call(app.url, '/dpop/allowed');
      expectRefused(none, 401, 'JWT_MISSING');
      expect(none.headers['www-authenticate']).toBe(`Bearer, DPoP algs="${ALGS}"`);
      const expired = await mint(keys, { expiresIn: -600, claims: { cnf: { jkt: key.jkt } } });
      const late = await send(app, '/dpop/required', expired, proof('/dpop/required', { token: expired }));
      expectRefused(late, 401, 'JWT_EXPIRED', [expired]);
      expect(late.headers['www-authenticate']).toBe(`DPoP error="invalid_token", algs="${ALGS}"`);
    });

    it('two levels both hold: the outer one requires DPoP, the route adds a scope, one proof is claimed once', async () => {
      const res = await send(app, '/dpop/stacked', bound, proof('/dpop/stacked'));
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual({ sub: 'user-123', jkt: key.jkt });
      expectRefused(
        await send(app, '/dpop/stacked', plain, undefined, { scheme: 'Bearer' }),
        401,
        'DPOP_REQUIRED',
      );
      const noScope = await mint(keys, { claims: { scope: 'profile', cnf: { jkt: key.jkt } } });
      const denied = await send(app, '/dpop/stacked', noScope, proof('/dpop/stacked', { token: noScope }));
      expectRefused(denied, 403, 'JWT_INSUFFICIENT_SCOPE');
    });
  });

  scenarioGroup(harness, 'dpop', `DPoP server nonces (${backend.name} replay store)`, () => {
    let keys: TestKeys;
    let apps: RunningApp[] = [];

    beforeAll(async () => {
      keys = await makeTestKeys();
      const secret = 'dpop-nonce-secret-0123456789abcdefghijklmnop';
      const store = await backend.make();
      apps = [
        await harness.start({ dpop: dpopSpec(keys, store, secret) }),
        await harness.start({ dpop: dpopSpec(keys, backend.shared ? await backend.make() : store, secret) }),
      ];
    });
    afterAll(async () => {
      for (const a of apps) await a.close();
      await backend.close?.();
    });

    it('asks for a nonce with use_dpop_nonce, accepts it on every instance sharing the secret', async () => {
      const key = makeDpopKey('EdDSA');
      const token = await mint(keys, { claims: { cnf: { jkt: key.jkt } } });
      const target = url('/dpop/required');
      const first = await call(apps[0]!.url, '/dpop/required', {
        headers: {
          authorization: `DPoP ${token}`,
          dpop: signProof(key, { method: 'GET', url: target, token }),
        },
      });
      expectRefused(first, 401, 'DPOP_NONCE_REQUIRED');
      expect(first.headers['www-authenticate']).toBe(`DPoP error="use_dpop_nonce", algs="${ALGS}"`);
      const nonce = first.headers['dpop-nonce'];
      expect(typeof nonce).toBe('string');
      for (const a of apps) {
        const p = signProof(key, { method: 'GET', url: target, token, claims: { nonce } });
        const res = await call(a.url, '/dpop/required', {
          headers: { authorization: `DPoP ${token}`, dpop: p },
        });
        expect(res.status, res.text).toBe(200);
      }
      const forged = signProof(key, { method: 'GET', url: target, token, claims: { nonce: `${nonce}x` } });
      const res = await call(apps[1]!.url, '/dpop/required', {
        headers: { authorization: `DPoP ${token}`, dpop: forged },
      });
      expectRefused(res, 401, 'DPOP_NONCE_REQUIRED');
    });

    it("bulwark's client helper learns the nonce and retries once", async () => {
      const base = apps[0]!.url;
      // The client calls the app's real address; the proof must still name the external URL, so the
      // helper's fetch is pointed at the app while its URL stays the configured one.
      const client = createDpopClient({
        fetch: (input, init) => fetch(String(input).replace(DPOP_EXTERNAL_URL, base), init),
      });
      const token = await mint(keys, { claims: { cnf: { jkt: await client.thumbprint() } } });
      const res = await client.fetch(url('/dpop/required'), { accessToken: token });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { jkt: string }).jkt).toBe(await client.thumbprint());
    });
  });
}
