import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIENCE, ISSUER, type KeyPair, keyPair, token } from '../../test/jwt-fixtures.js';
import type { SecurityEvent } from '../events.js';
import { createJwtVerifier } from './verifier.js';

/** A real JWKS (and discovery) server on 127.0.0.1 whose behaviour each test sets. */
interface JwksServer {
  url: string;
  /** JWKS path of the current test; only its fetches are counted. */
  path: string;
  fetches: number;
  keys: JWK[];
  mode: 'ok' | 'error' | 'garbage' | 'html' | 'hang' | 'redirect' | 'huge' | 'wrong-types';
  close(): Promise<void>;
}

async function startJwksServer(): Promise<JwksServer> {
  const state: JwksServer = {
    url: '',
    path: '/jwks',
    fetches: 0,
    keys: [],
    mode: 'ok',
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: state.url, jwks_uri: `${state.url}${state.path}` }));
      return;
    }
    // Count per path: a verifier of an earlier test may still refresh in the background.
    if (req.url === state.path) state.fetches++;
    switch (state.mode) {
      case 'error':
        res.writeHead(500).end('oops');
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json</html>');
        return;
      case 'html':
        // A valid key set, but served as a web page (an error page, a page reflecting input): not keys.
        res.writeHead(200, { 'content-type': 'text/html' }).end(JSON.stringify({ keys: state.keys }));
        return;
      case 'hang':
        return; // never answers: the client's timeout must end it
      case 'redirect':
        res.writeHead(302, { location: 'https://attacker.example/jwks' }).end();
        return;
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: state.keys, pad: 'x'.repeat(100_000) }));
        return;
      case 'wrong-types':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            keys: [
              { kty: 'oct', k: 'AAAA', kid: 'h' },
              { kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'small' },
              ...state.keys,
            ],
          }),
        );
        return;
      default:
        res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
        res.end(JSON.stringify({ keys: state.keys }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return state;
}

const code = (v: { ok: boolean; error?: { code: string } | undefined }) => (v.ok ? null : v.error!.code);
const NOW = Math.floor(Date.now() / 1000);

describe('remote JWKS against a real local server', () => {
  let server: JwksServer;
  let k1: KeyPair;
  let k2: KeyPair;
  beforeAll(async () => {
    server = await startJwksServer();
    k1 = keyPair('RS256', 'k1');
    k2 = keyPair('RS256', 'k2');
  });
  afterAll(() => server.close());

  function verifier(clock: { ms: number }, events: SecurityEvent[] = [], jwks = {}) {
    return createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: `${server.url}${server.path}`,
      jwks: { cooldownMs: 30_000, cacheMaxAgeMs: 3_600_000, ...jwks },
      now: () => clock.ms,
      onEvent: (e) => events.push(e),
    });
  }
  const reset = (keys: JWK[], mode: JwksServer['mode'] = 'ok') => {
    server.keys = keys;
    server.mode = mode;
    server.fetches = 0;
    server.path = `/jwks/${crypto.randomUUID()}`;
  };

  it('rotates: old tokens work while published, new ones right after rotation, removed keys fail', async () => {
    reset([k1.publicJwk]);
    const clock = { ms: NOW * 1000 };
    const events: SecurityEvent[] = [];
    const v = verifier(clock, events);
    const old = token(k1, NOW);
    expect(code(await v.verifyToken(old))).toBe(null);
    expect(server.fetches).toBe(1);
    // The IdP publishes k2 next to k1 and starts signing with k2.
    server.keys = [k1.publicJwk, k2.publicJwk];
    clock.ms += 31_000;
    expect(code(await v.verifyToken(token(k2, NOW + 31)))).toBe(null);
    expect(code(await v.verifyToken(old))).toBe(null);
    expect(server.fetches).toBe(2);
    // k1 is retired; once the cache is refreshed its tokens fail.
    server.keys = [k2.publicJwk];
    clock.ms += 3_600_000;
    await v.verifyToken(token(k2, NOW + 3631)); // stale: served from cache, refreshed in the background
    const refreshed = () => events.filter((e) => e.type === 'jwt.jwks_refreshed').length;
    // Until the background refresh is done, on a deadline far beyond a local fetch on a loaded machine (it
    // was 200 polls of 10 ms: 2 s).
    await vi.waitFor(() => expect(refreshed()).toBeGreaterThanOrEqual(3), { timeout: 15_000, interval: 10 });
    expect(server.fetches).toBe(3);
    expect(code(await v.verifyToken(token(k1, NOW + 3631)))).toBe('JWT_KEY_NOT_FOUND');
  });

  it('gives up on a refresh that never settles (a runtime dropped it) instead of waiting on it forever', async () => {
    // workerd ends a fetch still pending when the request that started it has answered, and the promise then
    // never settles; frozen serverless processes do the same. Modelled here with a fetch that never settles.
    reset([k1.publicJwk]);
    const clock = { ms: NOW * 1000 };
    const events: SecurityEvent[] = [];
    // timeoutMs also bounds the second, real fetch below: 1 s, so that a loaded CI machine stalling the event
    // loop for a few hundred ms does not time it out (200 ms did, once).
    const v = verifier(clock, events, { timeoutMs: 1_000, cooldownMs: 1_000 });
    const realFetch = globalThis.fetch;
    globalThis.fetch = () => new Promise<Response>(() => {});
    let first: Awaited<ReturnType<typeof v.verifyToken>>;
    try {
      first = await v.verifyToken(token(k1, NOW));
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(code(first)).toBe('JWT_KEYS_UNAVAILABLE');
    // The lost refresh no longer blocks: past timeoutMs + 1 s of wall time (the first request waited that
    // long), and past the cooldown on the verifier's clock, the next request fetches again.
    clock.ms += 2_100;
    expect(code(await v.verifyToken(token(k1, NOW + 1)))).toBe(null);
    expect(server.fetches).toBe(1);
    expect(events.some((e) => e.type === 'jwt.jwks_failed' && /never completed/.test(e.detail ?? ''))).toBe(
      true,
    );
  });

  it('bounds fetches under a random-kid flood: one refresh per cooldown, single flight', async () => {
    reset([k1.publicJwk]);
    const clock = { ms: NOW * 1000 };
    const v = verifier(clock);
    expect(code(await v.verifyToken(token(k1, NOW)))).toBe(null);
    const forged = () => token(k1, NOW, {}, { kid: crypto.randomUUID() });
    clock.ms += 31_000;
    const flood = await Promise.all(Array.from({ length: 200 }, () => v.verifyToken(forged())));
    expect(new Set(flood.map(code))).toEqual(new Set(['JWT_KEY_NOT_FOUND']));
    for (let i = 0; i < 200; i++) expect(code(await v.verifyToken(forged()))).toBe('JWT_KEY_NOT_FOUND');
    expect(server.fetches).toBe(2); // the initial load + one refresh for the whole flood
    clock.ms += 31_000;
    for (let i = 0; i < 100; i++) await v.verifyToken(forged());
    expect(server.fetches).toBe(3);
    // The same unknown kid again right after the cooldown: negative-cached until then, one fetch after.
    expect(code(await v.verifyToken(token(k1, NOW)))).toBe(null);
  });

  it('keeps verifying known kids while the endpoint is down, slow or returns garbage (stale-if-error)', async () => {
    for (const mode of ['error', 'garbage', 'html', 'redirect', 'huge', 'hang'] as const) {
      reset([k1.publicJwk]);
      const clock = { ms: NOW * 1000 };
      const events: SecurityEvent[] = [];
      // 1 s: the first load is a real fetch, which a loaded CI machine can stall for a few hundred ms.
      const v = verifier(clock, events, { timeoutMs: 1_000, maxBytes: 16_384 });
      expect(code(await v.verifyToken(token(k1, NOW)))).toBe(null);
      server.mode = mode;
      clock.ms += 3_700_000; // cache is stale and the cooldown has passed
      expect(code(await v.verifyToken(token(k1, NOW + 3700)))).toBe(null);
      // An unknown kid triggers a refresh that fails: the kid is unknown, the known key still works.
      clock.ms += 31_000;
      expect(code(await v.verifyToken(token(k2, NOW + 3731)))).toBe('JWT_KEY_NOT_FOUND');
      expect(code(await v.verifyToken(token(k1, NOW + 3731)))).toBe(null);
      const failures = events.filter((e) => e.type === 'jwt.jwks_failed').map((e) => e.detail);
      expect(failures.length, mode).toBeGreaterThan(0);
      const expected = {
        error: /HTTP 500/,
        garbage: /not a JSON object/,
        html: /text\/html.*not JSON/,
        hang: /within 1000 ms/,
        redirect: /redirect/,
        huge: /larger than|exceeds/,
      }[mode];
      expect(failures[0]).toMatch(expected);
    }
  });

  it('never trusts a JWKS served as text/html, even as the first load', async () => {
    reset([k1.publicJwk], 'html');
    const events: SecurityEvent[] = [];
    const v = verifier({ ms: NOW * 1000 }, events);
    expect(code(await v.verifyToken(token(k1, NOW)))).toBe('JWT_KEYS_UNAVAILABLE');
    expect(events.find((e) => e.type === 'jwt.jwks_failed')?.detail).toMatch(/text\/html/);
  });

  it('answers 503 when no keys were ever loaded, then recovers after the cooldown', async () => {
    reset([k1.publicJwk], 'error');
    const clock = { ms: NOW * 1000 };
    const ev: SecurityEvent[] = [];
    const v = verifier(clock, ev);
    const t = token(k1, NOW);
    const first = await v.verifyToken(t);
    expect(code(first)).toBe('JWT_KEYS_UNAVAILABLE');
    expect(!first.ok && first.error?.status).toBe(503);
    expect(code(await v.verifyToken(t))).toBe('JWT_KEYS_UNAVAILABLE');
    expect(server.fetches, JSON.stringify(ev)).toBe(1);
    server.mode = 'ok';
    clock.ms += 30_000;
    expect(code(await v.verifyToken(t))).toBe(null);
    expect(server.fetches).toBe(2);
  });

  it('ignores keys of the wrong type or size and reports them', async () => {
    reset([k1.publicJwk], 'wrong-types');
    const events: SecurityEvent[] = [];
    const v = verifier({ ms: NOW * 1000 }, events);
    expect(code(await v.verifyToken(token(k1, NOW)))).toBe(null);
    const skipped = events.filter((e) => e.type === 'jwt.jwks_key_skipped').map((e) => e.detail);
    expect(skipped).toEqual([expect.stringMatching(/symmetric/), expect.stringMatching(/2048/)]);
  });

  it('finds the JWKS through OIDC discovery of the issuer', async () => {
    reset([k1.publicJwk]);
    const v = createJwtVerifier({
      algorithms: ['RS256'],
      audience: AUDIENCE,
      issuers: [{ issuer: server.url, discovery: true }],
      now: () => NOW * 1000,
    });
    expect(code(await v.verifyToken(token(k1, NOW, { iss: server.url })))).toBe(null);
    expect(server.fetches).toBe(1);
    const mismatch = createJwtVerifier({
      algorithms: ['RS256'],
      audience: AUDIENCE,
      issuers: [{ issuer: `${server.url}/`, discovery: true }],
      now: () => NOW * 1000,
    });
    expect(code(await mismatch.verifyToken(token(k1, NOW, { iss: `${server.url}/` })))).toBe(
      'JWT_KEYS_UNAVAILABLE',
    );
  });
});
