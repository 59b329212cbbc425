// The README quick starts, run: each `run=` block of README.md (with the JWT policy block it uses) is
// compiled and started with node exactly as written, against a local identity provider answering for
// https://id.example.com, and asked over HTTP what the README promises: security headers on every
// response, CORS for the listed origin only, the rate limit's fields, and the JWT route answering 401
// without a token or with a forged one and 200 with the user's claims for a valid one.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBlocks } from '../src/blocks.mjs';
import { tempProject } from '../src/compile.mjs';
import { localIdentityProvider, startApp, writeRunnable } from '../src/run.mjs';

const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));
const { blocks } = extractBlocks(readFileSync(readme, 'utf8'), 'README.md');
const runs = blocks.filter((b) => b.run !== undefined);

const AUDIENCE = 'https://orders.example.com';
const ALLOWED_ORIGIN = 'https://app.example.com';

describe.each(runs.map((b) => [`${b.run} (README.md:${b.line})`, b] as const))(
  'quick start %s',
  (label, block) => {
    const project = tempProject('quick-start');
    let idp: Awaited<ReturnType<typeof localIdentityProvider>>;
    let app: ReturnType<typeof startApp>;
    let base = '';
    beforeAll(async () => {
      idp = await localIdentityProvider(project.dir);
      const file = writeRunnable(block, blocks, project.dir, label.replace(/[^\w]+/g, '_'));
      app = startApp(file, project.dir, idp.env);
      base = `http://127.0.0.1:${await app.port}`;
    }, 60_000);
    afterAll(async () => {
      await app?.stop();
      await idp?.close();
      project.dispose();
    });

    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
    const expectSecurityHeaders = (res: Response) => {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      // express's final handler rewrites CSP on its own 404 to the equally strict default-src 'none'.
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    };

    it('answers a request without a token 401 problem+json, with the security headers', async () => {
      const res = await get('/orders');
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectSecurityHeaders(res);
    });

    it('answers a valid token 200 with its subject, the rate limit fields and the security headers', async () => {
      const token = idp.token({ sub: 'user-1', aud: AUDIENCE });
      const res = await get('/orders', { authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ user: 'user-1' });
      expect(res.headers.get('ratelimit-policy')).toMatch(/q=600;w=60/);
      expectSecurityHeaders(res);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(idp.requests()).toBeGreaterThan(0);
    });

    it('refuses a token signed by a key the IdP does not publish, and one for another audience', async () => {
      const forged = idp.token({ sub: 'user-1', aud: AUDIENCE }, { stranger: true });
      expect((await get('/orders', { authorization: `Bearer ${forged}` })).status).toBe(401);
      const other = idp.token({ sub: 'user-1', aud: 'https://billing.example.com' });
      expect((await get('/orders', { authorization: `Bearer ${other}` })).status).toBe(401);
    });

    it('grants CORS to the listed origin only', async () => {
      const preflight = await fetch(`${base}/orders`, {
        method: 'OPTIONS',
        headers: {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      const token = idp.token({ sub: 'user-1', aud: AUDIENCE });
      const stranger = await get('/orders', {
        origin: 'https://evil.example',
        authorization: `Bearer ${token}`,
      });
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('sends the security headers on a route that does not exist too', async () => {
      const res = await get('/nothing-here');
      expect([401, 404]).toContain(res.status);
      expectSecurityHeaders(res);
    });
  },
);
