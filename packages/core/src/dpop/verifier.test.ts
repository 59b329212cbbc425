import { beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  dpopRequest,
  makeProof,
  type ProofKey,
  proofClaims,
  proofKey,
} from '../../test/dpop-fixtures.js';
import { HS_SECRET, signRaw } from '../../test/jwt-fixtures.js';
import type { SecurityEvent } from '../events.js';
import { backend as webBackend } from '../jwt/crypto-web.js';
import { createMemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore } from '../stores/types.js';
import type { DpopOptions } from './options.js';
import { createDpopVerifier, createDpopVerifierWith } from './verifier.js';

const NOW = 1_900_000_000;
const clock = () => NOW * 1000;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';
const URL_ = `${API}/orders`;
let key: ProofKey;
beforeAll(async () => {
  key = await proofKey('ES256');
});

const code = (v: { ok: boolean; error?: { code: string } | undefined }) => (v.ok ? null : v.error!.code);
const bound = (k: ProofKey) => ({ token: TOKEN, claims: { sub: 'u', cnf: { jkt: k.jkt } } });

function verifier(extra: Partial<DpopOptions> = {}, events: SecurityEvent[] = []) {
  return createDpopVerifier({ externalUrl: API, now: clock, onEvent: (e) => events.push(e), ...extra });
}

async function check(
  proof: string | readonly string[] | undefined,
  extra: Partial<DpopOptions> = {},
  opts: { method?: string; url?: string; k?: ProofKey } = {},
) {
  const v = verifier(extra);
  return v.check(
    dpopRequest(opts.method ?? 'GET', opts.url ?? '/orders', TOKEN, proof),
    bound(opts.k ?? key),
  );
}

describe('createDpopVerifier: RFC 9449 §4.3', () => {
  it.each(['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'] as const)(
    'accepts a valid %s proof, on both signature back ends',
    async (alg) => {
      const k = await proofKey(alg);
      const algorithms = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'] as const;
      for (const make of [createDpopVerifier, (o: DpopOptions) => createDpopVerifierWith(o, webBackend)]) {
        const v = make({ externalUrl: API, now: clock, algorithms });
        const proof = makeProof(k, proofClaims('GET', URL_, TOKEN, NOW));
        const verdict = await v.check(dpopRequest('GET', '/orders', TOKEN, proof), bound(k));
        expect(verdict.ok && verdict.value).toMatchObject({ jkt: k.jkt, alg, iat: NOW });
      }
    },
  );

  it('refuses a missing proof, two proofs, and two proofs joined into one header', async () => {
    const p = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW));
    const q = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW));
    expect(code(await check(undefined))).toBe('DPOP_PROOF_MISSING');
    const two = await check([p, q]);
    expect(code(two)).toBe('DPOP_PROOF_MULTIPLE');
    expect(!two.ok && two.error?.status).toBe(400);
    const v = verifier();
    // A runtime that joins repeated headers and cannot list them (no headerValues).
    const joined = {
      method: 'GET',
      url: '/orders',
      header: (n: string) => (n === 'dpop' ? `${p}, ${q}` : undefined),
    };
    expect(code(await v.check(joined, bound(key)))).toBe('DPOP_PROOF_MULTIPLE');
  });

  it('refuses an oversized proof before decoding it, and anything that is not one compact JWS', async () => {
    const huge = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW, { pad: 'x'.repeat(9000) }));
    expect(code(await check(huge))).toBe('DPOP_PROOF_TOO_LARGE');
    const p = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW));
    for (const bad of [p.split('.').slice(0, 2).join('.'), `${p}.x`, 'not-a-jwt', `${p.slice(0, -2)}+/`]) {
      expect(code(await check(bad))).toBe('DPOP_PROOF_MALFORMED');
    }
    const dup = signRaw(
      'ES256',
      key.privateKey,
      `{"typ":"dpop+jwt","alg":"ES256","jwk":${JSON.stringify(key.jwk)},"alg":"ES256"}`,
      proofClaims('GET', URL_, TOKEN, NOW),
    );
    expect(code(await check(dup))).toBe('DPOP_PROOF_MALFORMED');
    const crit = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW), { crit: ['exp'] });
    expect(code(await check(crit))).toBe('DPOP_PROOF_MALFORMED');
  });

  it('requires typ dpop+jwt', async () => {
    for (const typ of [undefined, 'JWT', 'at+jwt', 'dpop']) {
      expect(code(await check(makeProof(key, proofClaims('GET', URL_, TOKEN, NOW), { typ })))).toBe(
        'DPOP_PROOF_TYPE_INVALID',
      );
    }
    // RFC 7515 §4.1.9: the media type may be written in full, in any case.
    const full = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW), { typ: 'application/DPoP+JWT' });
    expect(code(await check(full))).toBe(null);
  });

  it('refuses alg none, HMAC proofs and algorithms outside the allowlist', async () => {
    const claims = proofClaims('GET', URL_, TOKEN, NOW);
    const b = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b({ typ: 'dpop+jwt', alg, jwk: key.jwk })}.${b(claims)}.`;
      expect(code(await check(unsigned))).toBe('DPOP_ALG_NOT_ALLOWED');
    }
    const hs = signRaw('HS256', HS_SECRET, { typ: 'dpop+jwt', alg: 'HS256', jwk: key.jwk }, claims);
    expect(code(await check(hs))).toBe('DPOP_ALG_NOT_ALLOWED');
    const ps = await proofKey('PS256');
    const onlyEs = await check(
      makeProof(ps, proofClaims('GET', URL_, TOKEN, NOW)),
      { algorithms: ['ES256'] },
      {
        k: ps,
      },
    );
    expect(code(onlyEs)).toBe('DPOP_ALG_NOT_ALLOWED');
  });

  it('requires a public jwk of the type alg needs: no jwk, a private key, a weak or mismatched key', async () => {
    const claims = () => proofClaims('GET', URL_, TOKEN, NOW);
    expect(code(await check(makeProof(key, claims(), { jwk: undefined })))).toBe('DPOP_KEY_INVALID');
    expect(code(await check(makeProof(key, claims(), { jwk: 'abc' })))).toBe('DPOP_KEY_INVALID');
    // The private key in the header: whoever reads the proof could sign as the client.
    expect(code(await check(makeProof(key, claims(), { jwk: key.privateJwk })))).toBe('DPOP_KEY_INVALID');
    const rsa = await proofKey('RS256');
    expect(code(await check(makeProof(rsa, claims(), { jwk: rsa.privateJwk }), {}, { k: rsa }))).toBe(
      'DPOP_KEY_INVALID',
    );
    const weak = await proofKey('RS256', 1024);
    expect(code(await check(makeProof(weak, claims()), {}, { k: weak }))).toBe('DPOP_KEY_INVALID');
    // An RSA key announced for ES256.
    expect(code(await check(makeProof(key, claims(), { jwk: rsa.jwk })))).toBe('DPOP_KEY_INVALID');
    expect(code(await check(makeProof(key, claims(), { jwk: { ...key.jwk, alg: 'ES384' } })))).toBe(
      'DPOP_KEY_INVALID',
    );
    // Not a point on the curve.
    const offCurve = { ...key.jwk, y: Buffer.alloc(32, 7).toString('base64url') };
    const k2 = { ...key, jwk: offCurve, jkt: (await proofKey()).jkt };
    const { calculateJwkThumbprint } = await import('jose');
    const offJkt = await calculateJwkThumbprint(offCurve, 'sha256');
    const v = verifier();
    const verdict = await v.check(dpopRequest('GET', '/orders', TOKEN, makeProof(k2, claims())), {
      token: TOKEN,
      claims: { cnf: { jkt: offJkt } },
    });
    expect(code(verdict)).toBe('DPOP_KEY_INVALID');
  });

  it('refuses a proof signed by another key than its jwk (key substitution)', async () => {
    const other = await proofKey('ES256');
    const forged = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW), {}, other.privateKey);
    expect(code(await check(forged))).toBe('DPOP_SIGNATURE_INVALID');
  });

  it('checks htm exactly and htu against the configured external URL, normalised', async () => {
    const p = (method: string, htu: string) => makeProof(key, proofClaims(method, htu, TOKEN, NOW));
    expect(code(await check(p('POST', URL_)))).toBe('DPOP_HTM_MISMATCH');
    expect(code(await check(p('get', URL_)))).toBe('DPOP_HTM_MISMATCH');
    expect(code(await check(p('GET', 'https://other.test/orders')))).toBe('DPOP_HTU_MISMATCH');
    expect(code(await check(p('GET', `${API}/orders/1`)))).toBe('DPOP_HTU_MISMATCH');
    expect(code(await check(p('GET', 'http://api.test/orders')))).toBe('DPOP_HTU_MISMATCH');
    // Query and fragment ignored on both sides; case of scheme and host, default port, dot segments and
    // escapes of unreserved characters normalised.
    for (const htu of [
      `${URL_}?x=1`,
      `${URL_}#f`,
      'HTTPS://API.TEST:443/orders',
      'https://api.test/a/../orders',
      'https://api.test/%6Frders',
    ]) {
      expect({ htu, code: code(await check(p('GET', htu), {}, { url: '/orders?page=2' })) }).toEqual({
        htu,
        code: null,
      });
    }
  });

  it('takes the host from configuration only: a forged Host header or an absolute request URL changes nothing', async () => {
    const forProxy = makeProof(key, proofClaims('GET', 'https://evil.test/orders', TOKEN, NOW));
    const v = verifier();
    const req = dpopRequest('GET', 'https://evil.test/orders', TOKEN, forProxy);
    const spoofed = {
      ...req,
      header: (n: string) => (n === 'host' || n === 'x-forwarded-host' ? 'evil.test' : req.header(n)),
    };
    expect(code(await v.check(spoofed, bound(key)))).toBe('DPOP_HTU_MISMATCH');
    // A path that looks like an authority stays a path on the configured host.
    const sneaky = makeProof(key, proofClaims('GET', 'https://evil.test/x', TOKEN, NOW));
    expect(code(await v.check(dpopRequest('GET', '//evil.test/x', TOKEN, sneaky), bound(key)))).toBe(
      'DPOP_HTU_MISMATCH',
    );
    // Several external URLs (two host names, a path prefix behind a proxy).
    const multi = verifier({ externalUrl: ['https://api.test', 'https://example.test/api/'] });
    for (const htu of [URL_, 'https://example.test/api/orders']) {
      const proof = makeProof(key, proofClaims('GET', htu, TOKEN, NOW));
      expect(code(await multi.check(dpopRequest('GET', '/orders', TOKEN, proof), bound(key)))).toBe(null);
    }
  });

  it('accepts iat within the window and tolerance only', async () => {
    const at = (iat: number) => makeProof(key, proofClaims('GET', URL_, TOKEN, NOW, { iat }));
    expect(code(await check(at(NOW - 65)))).toBe(null);
    expect(code(await check(at(NOW - 66)))).toBe('DPOP_PROOF_EXPIRED');
    expect(code(await check(at(NOW + 5)))).toBe(null);
    expect(code(await check(at(NOW + 6)))).toBe('DPOP_PROOF_NOT_YET_VALID');
    expect(code(await check(at(NOW - 20), { maxProofAgeSeconds: 10, clockToleranceSeconds: 0 }))).toBe(
      'DPOP_PROOF_EXPIRED',
    );
    expect(
      code(await check(makeProof(key, proofClaims('GET', URL_, TOKEN, NOW, { iat: String(NOW) })))),
    ).toBe('DPOP_PROOF_MALFORMED');
  });

  it('requires every claim: jti, htm, htu, iat, ath', async () => {
    for (const missing of ['jti', 'htm', 'htu', 'iat']) {
      const proof = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW, { [missing]: undefined }));
      expect({ missing, code: code(await check(proof)) }).toEqual({ missing, code: 'DPOP_PROOF_MALFORMED' });
    }
    const noAth = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW, { ath: undefined }));
    expect(code(await check(noAth))).toBe('DPOP_ATH_MISMATCH');
    const otherAth = makeProof(key, proofClaims('GET', URL_, 'another.access.token', NOW));
    expect(code(await check(otherAth))).toBe('DPOP_ATH_MISMATCH');
  });

  it('binds the token: cnf.jkt must be the proof key thumbprint', async () => {
    const attacker = await proofKey('ES256');
    const v = verifier();
    // A stolen token used with the attacker's own key.
    const proof = makeProof(attacker, proofClaims('GET', URL_, TOKEN, NOW));
    expect(code(await v.check(dpopRequest('GET', '/orders', TOKEN, proof), bound(key)))).toBe(
      'DPOP_KEY_MISMATCH',
    );
    expect(
      code(
        await v.check(dpopRequest('GET', '/orders', TOKEN, proof), { token: TOKEN, claims: { sub: 'u' } }),
      ),
    ).toBe('DPOP_TOKEN_NOT_BOUND');
  });
});

describe('createDpopVerifier: replay', () => {
  it('accepts a proof once; the same jti again is refused and reported as dpop.replayed', async () => {
    const events: SecurityEvent[] = [];
    const v = verifier({}, events);
    const proof = makeProof(key, proofClaims('GET', URL_, TOKEN, NOW));
    const req = dpopRequest('GET', '/orders', TOKEN, proof);
    expect(code(await v.check(req, bound(key)))).toBe(null);
    expect(code(await v.check(req, bound(key)))).toBe('DPOP_PROOF_REPLAYED');
    expect(events.map((e) => e.type)).toEqual(['dpop.replayed']);
    expect(events[0]!.data).toEqual({ jkt: key.jkt });
  });

  it('shares one store between instances, so a proof replayed to another instance is refused', async () => {
    const replay = createMemoryReplayStore({ now: clock });
    const a = verifier({ replay });
    const b = verifier({ replay });
    const req = dpopRequest('GET', '/orders', TOKEN, makeProof(key, proofClaims('GET', URL_, TOKEN, NOW)));
    expect(code(await a.check(req, bound(key)))).toBe(null);
    expect(code(await b.check(req, bound(key)))).toBe('DPOP_PROOF_REPLAYED');
  });

  it('remembers a jti as long as its proof could be accepted, and claims nothing for refused proofs', async () => {
    const claimed: [string, number][] = [];
    const store = createMemoryReplayStore({ now: clock });
    const replay: ReplayStore = {
      ...store,
      claim: (k, ttl) => {
        claimed.push([k, ttl]);
        return store.claim(k, ttl);
      },
    };
    await check(makeProof(key, proofClaims('POST', URL_, TOKEN, NOW)), { replay });
    expect(claimed).toEqual([]);
    await check(makeProof(key, proofClaims('GET', URL_, TOKEN, NOW)), { replay, maxProofAgeSeconds: 30 });
    expect(claimed).toHaveLength(1);
    expect(claimed[0]![1]).toBe((30 + 2 * 5) * 1000);
    expect(claimed[0]![0]).toMatch(/^dpop:[A-Za-z0-9_-]{43}$/);
  });

  it('fails closed with 503 when the store fails', async () => {
    const replay: ReplayStore = {
      claim: async () => {
        throw new Error('ECONNREFUSED');
      },
      complete: async () => false,
      release: async () => false,
    };
    const verdict = await check(makeProof(key, proofClaims('GET', URL_, TOKEN, NOW)), { replay });
    expect(code(verdict)).toBe('DPOP_REPLAY_UNAVAILABLE');
    expect(!verdict.ok && verdict.error?.status).toBe(503);
  });
});

describe('createDpopVerifier: challenges', () => {
  it('answers with a DPoP challenge naming the accepted algorithms, and Bearer beside it when both are allowed', async () => {
    const proof = makeProof(key, proofClaims('POST', URL_, TOKEN, NOW));
    const v = verifier({ algorithms: ['ES256', 'PS256'] });
    const req = dpopRequest('GET', '/orders', TOKEN, proof);
    const required = await v.check(req, bound(key), 'required');
    expect(!required.ok && Object.fromEntries(required.reply.headers)['www-authenticate']).toBe(
      'DPoP error="invalid_dpop_proof", algs="ES256 PS256"',
    );
    const allowed = await v.check(req, bound(key), 'allowed');
    expect(!allowed.ok && Object.fromEntries(allowed.reply.headers)['www-authenticate']).toBe(
      'DPoP error="invalid_dpop_proof", algs="ES256 PS256", Bearer',
    );
  });

  it('echoes nothing from the request: no proof, token, jti or URL in the answer', async () => {
    const claims = proofClaims('POST', `${URL_}?secret=s3cr3t`, TOKEN, NOW);
    const proof = makeProof(key, claims);
    const events: SecurityEvent[] = [];
    const verdict = await verifier({}, events).check(
      dpopRequest('GET', '/orders?q=s3cr3t', TOKEN, proof),
      bound(key),
    );
    expect(verdict.ok).toBe(false);
    const out = JSON.stringify(!verdict.ok && [verdict.error, verdict.error?.headers]);
    for (const leaked of [proof, TOKEN, String(claims.jti), 's3cr3t', proof.split('.')[2]!]) {
      expect(out).not.toContain(leaked);
      expect(JSON.stringify(events)).not.toContain(leaked);
    }
  });
});
