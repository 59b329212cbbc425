import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AdapterHarness, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { bearer, call, type HttpResult } from '../http.js';
import { makeTestKeys, mint, type TestKeys } from '../keys.js';
import { jwtSpec } from './jwt.js';
import { rateLimitSpec } from './ratelimit.js';

/** The API defaults every adapter must send on every response. */
const API_DEFAULTS: Record<string, string | RegExp> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '0',
  'referrer-policy': 'strict-origin-when-cross-origin',
  // The api preset's short policy (browsers apply it to documents only); the web preset sends the long one.
  'permissions-policy': 'camera=(), geolocation=(), microphone=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Exactly the policy's, also on the answers the framework writes itself (express's final handler writes
  // its own `default-src 'none'` on its 404/500 pages, which drops frame-ancestors; the adapter undoes it).
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/** A CSP with its per-response nonces blanked, so two responses of one policy compare equal. */
function withoutNonces(csp: unknown): string {
  return String(csp).replace(/'nonce-[^']*'/g, "'nonce-*'");
}

export function expectSecurityHeaders(res: HttpResult): void {
  for (const [name, want] of Object.entries(API_DEFAULTS)) {
    const got = res.headers[name];
    if (typeof want === 'string') expect(got, name).toBe(want);
    else expect(got, name).toMatch(want);
  }
}

/**
 * Security-header scenarios: the API defaults on successes, 404s, 401s, 429s and thrown errors,
 * `Cache-Control: no-store` on credentialed responses, a fresh nonce per response with the web preset.
 */
export function headersScenarios(harness: AdapterHarness): void {
  scenarioGroup(harness, 'headers', 'security headers', () => {
    let keys: TestKeys;
    let app: RunningApp;
    let web: RunningApp;
    let helmet: RunningApp;

    beforeAll(async () => {
      keys = await makeTestKeys();
      app = await harness.start({ headers: {}, jwt: jwtSpec(keys), rateLimit: rateLimitSpec() });
      // jwt too: NestJS's JwtGuard refuses to start without jwt options (see the issue note).
      web = await harness.start({ headers: { preset: 'web' }, jwt: jwtSpec(keys) });
      // What a helmet user asks for: its legacy headers, one of their own, a CSP directive over the preset.
      helmet = await harness.start({
        headers: {
          preset: 'web',
          csp: { directives: { imgSrc: ["'self'", 'https://img.example.com'] } },
          originAgentCluster: true,
          dnsPrefetchControl: 'off',
          downloadOptions: true,
          permittedCrossDomainPolicies: 'none',
          extra: { 'x-robots-tag': 'noindex' },
        },
        jwt: jwtSpec(keys),
      });
    });
    afterAll(async () => {
      await app?.close();
      await web?.close();
      await helmet?.close();
    });

    it('sends no X-Powered-By (express and NestJS on express write one; the rule removes it)', async () => {
      for (const path of ['/health', '/no-such-route', '/me']) {
        expect((await call(app.url, path)).headers['x-powered-by'], path).toBeUndefined();
      }
    });

    it("helmet's legacy headers and your own on every response, CSP directives merged over the preset", async () => {
      for (const [path, status] of [
        ['/health', 200],
        ['/no-such-route', 404],
        ['/me', 401],
      ] as const) {
        const res = await call(helmet.url, path);
        expect(res.status, path).toBe(status);
        expect(res.headers['origin-agent-cluster'], path).toBe('?1');
        expect(res.headers['x-dns-prefetch-control'], path).toBe('off');
        expect(res.headers['x-download-options'], path).toBe('noopen');
        expect(res.headers['x-permitted-cross-domain-policies'], path).toBe('none');
        expect(res.headers['x-robots-tag'], path).toBe('noindex');
        expect(res.headers['x-powered-by'], path).toBeUndefined();
      }
      const csp = String((await call(helmet.url, '/health')).headers['content-security-policy']);
      expect(csp).toContain("img-src 'self' https://img.example.com;");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self' 'nonce-/);
    });

    it("the policy's own CSP, custom directives included, on the answers the framework writes itself", async () => {
      const normal = await call(helmet.url, '/health');
      expect(normal.status).toBe(200);
      const want = withoutNonces(normal.headers['content-security-policy']);
      expect(want).toContain("img-src 'self' https://img.example.com;");
      const answers: [string, number, Parameters<typeof call>[2]][] = [
        ['/no-such-route', 404, {}],
        ['/boom', 500, {}],
        ['/echo', 400, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' }],
      ];
      for (const [path, status, init] of answers) {
        const res = await call(helmet.url, path, init);
        expect(res.status, path).toBe(status);
        expect(withoutNonces(res.headers['content-security-policy']), `${path} ${status}`).toBe(want);
        expect(res.headers['x-content-type-options'], path).toBe('nosniff');
        expect(res.headers['x-frame-options'], path).toBe('DENY');
      }
    });

    it('sends the API defaults, with the exact CSP, on a normal response', async () => {
      const res = await call(app.url, '/health');
      expect(res.status).toBe(200);
      expectSecurityHeaders(res);
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['cache-control']).not.toBe('no-store');
    });

    it('keeps them on a 404', async () => {
      const res = await call(app.url, '/no-such-route');
      expect(res.status).toBe(404);
      expectSecurityHeaders(res);
    });

    it('keeps them on a 401 denial', async () => {
      const res = await call(app.url, '/me');
      expect(res.status).toBe(401);
      expectSecurityHeaders(res);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('keeps them on a 429 denial', async () => {
      let res: HttpResult | undefined;
      for (let i = 0; i < 4; i++) res = await call(app.url, '/rl/direct');
      expect(res!.status).toBe(429);
      expectSecurityHeaders(res!);
    });

    it('keeps them when the handler throws', async () => {
      const res = await call(app.url, '/boom');
      expect(res.status).toBe(500);
      expectSecurityHeaders(res);
    });

    it('marks credentialed responses Cache-Control: no-store', async () => {
      const res = await call(app.url, '/me', { headers: bearer(await mint(keys, { alg: 'ES256' })) });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const cookie = await call(app.url, '/health', { headers: { cookie: 'sid=1' } });
      expect(cookie.headers['cache-control']).toBe('no-store');
    });

    it('web preset: a fresh 128-bit nonce in script-src and style-src on each response', async () => {
      const nonces = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const csp = String((await call(web.url, '/health')).headers['content-security-policy']);
        const m = /script-src 'self' 'nonce-([A-Za-z0-9+/]{22}==)'; style-src 'self' 'nonce-([^']+)'/.exec(
          csp,
        );
        expect(m, csp).not.toBeNull();
        expect(m![2]).toBe(m![1]);
        expect(csp).toContain("frame-ancestors 'none'");
        nonces.add(m![1]!);
      }
      expect(nonces.size).toBe(3);
    });

    it('hands the same nonce to the handler that the CSP header carries', async () => {
      const res = await call(web.url, '/nonce');
      const csp = String(res.headers['content-security-policy']);
      const { nonce } = res.json() as { nonce: string | null };
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(csp).toContain(`'nonce-${nonce}'`);
      expect(((await call(app.url, '/nonce')).json() as { nonce: string | null }).nonce).toBeNull();
    });
  });
}
