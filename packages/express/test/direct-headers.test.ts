import { ServerResponse } from 'node:http';
import { bearer, call, jwtSpec, makeTestKeys } from '@bulwark/conformance';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cors, rateLimit, requireJwt, securityHeaders } from '../src/index.js';
import { closeServer, listen } from './harness.js';

const ORIGIN = 'https://app.example.com';
const servers: Parameters<typeof closeServer>[0][] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
});

async function start(app: express.Express): Promise<string> {
  const server = (await import('node:http')).createServer(app);
  servers.push(server);
  return listen(server);
}

/** Lowercase names node's setHeader is called with from now on (the platform's own calls included). */
const setHeaderNames = (spy = vi.spyOn(ServerResponse.prototype, 'setHeader')) => ({
  names: () => spy.mock.calls.map((call) => String(call[0]).toLowerCase()),
  clear: () => spy.mockClear(),
});

describe('express: constant headers written into node’s header table', () => {
  it('sends the security headers, the CORS grant and the rate limit policy without setHeader; the count with it', async () => {
    const app = express();
    app.use(securityHeaders(), cors({ origins: [ORIGIN] }), rateLimit({ rate: '100/min' }));
    app.get('/data', (_req, res) => {
      res.set('vary', 'Accept-Encoding');
      res.json({ ok: true });
    });
    const url = await start(app);
    const set = setHeaderNames();
    for (let i = 0; i < 3; i++) {
      set.clear();
      const res = await call(url, '/data', { headers: { origin: ORIGIN } });
      expect(res.status).toBe(200);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['ratelimit-policy']).toBe('"ip";q=100;w=60');
      // The count (a token bucket refilling while the test runs: its value is not the point here).
      expect(res.headers.ratelimit).toMatch(/^"ip";r=\d+;t=\d+$/);
      expect(res.headers.vary).toBe('Accept-Encoding, Origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
      for (const name of ['x-frame-options', 'access-control-allow-origin', 'ratelimit-policy'])
        expect(set.names()).not.toContain(name);
      expect(set.names()).toContain('ratelimit');
    }
  });

  it('a handler’s later header still wins over each of them (res.set, res.header, res.removeHeader)', async () => {
    const app = express();
    app.use(securityHeaders(), cors({ origins: [ORIGIN] }), rateLimit({ rate: '100/min' }));
    app.get('/own', (_req, res) => {
      res.set('X-Frame-Options', 'SAMEORIGIN');
      res.header('Access-Control-Allow-Origin', 'https://other.example');
      res.set('RateLimit-Policy', '"mine";q=1');
      res.set('Content-Security-Policy', "default-src 'self'");
      res.removeHeader('referrer-policy');
      res.json({ ok: true });
    });
    const url = await start(app);
    const res = await call(url, '/own', { headers: { origin: ORIGIN } });
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['access-control-allow-origin']).toBe('https://other.example');
    expect(res.headers['ratelimit-policy']).toBe('"mine";q=1');
    expect(res.headers['content-security-policy']).toBe("default-src 'self'");
    expect(res.headers['referrer-policy']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a refused token with its constant headers written directly, the security headers kept', async () => {
    const keys = await makeTestKeys();
    const app = express();
    app.use(securityHeaders());
    app.get('/me', requireJwt(jwtSpec(keys)), (_req, res) => {
      res.json({ ok: true });
    });
    const url = await start(app);
    const set = setHeaderNames();
    const res = await call(url, '/me', { headers: bearer('not.a-valid.token') });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(set.names()).not.toContain('www-authenticate');
    expect(set.names()).not.toContain('x-frame-options');
  });
});
