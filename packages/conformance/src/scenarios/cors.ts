import type { CorsOptions } from '@bulwark/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AdapterHarness, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { call, type HttpResult } from '../http.js';
import { makeTestKeys } from '../keys.js';
import { jwtSpec } from './jwt.js';

const APP = 'https://app.example.com';

/** The CORS policy every adapter is configured with. */
export function corsSpec(): CorsOptions {
  return {
    origins: [APP, 'https://*.tenants.example.com'],
    credentials: true,
    allowedHeaders: ['content-type', 'authorization'],
    exposedHeaders: ['x-request-id'],
  };
}

const preflight = (origin: string, method = 'PUT', headers = 'content-type'): Record<string, string> => ({
  origin,
  'access-control-request-method': method,
  ...(headers === '' ? {} : { 'access-control-request-headers': headers }),
});

export function varyHas(res: HttpResult, name: string): boolean {
  const vary = res.headers.vary;
  const list = (Array.isArray(vary) ? vary.join(',') : (vary ?? '')).toLowerCase().split(/\s*,\s*/);
  return list.includes(name.toLowerCase());
}

function expectNoGrant(res: HttpResult): void {
  expect(res.headers['access-control-allow-origin']).toBeUndefined();
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  expect(res.headers['access-control-allow-methods']).toBeUndefined();
  expect(varyHas(res, 'Origin')).toBe(true);
}

/**
 * CORS scenarios: exact echo with credentials, no grant for the origin attacks, preflights answered before
 * routing (204 granted, 403 refused), Vary: Origin everywhere.
 */
export function corsScenarios(harness: AdapterHarness): void {
  scenarioGroup(harness, 'cors', 'CORS', () => {
    let app: RunningApp;

    beforeAll(async () => {
      app = await harness.start({ headers: {}, cors: corsSpec(), jwt: jwtSpec(await makeTestKeys()) });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('echoes an allowed origin with credentials, exposed headers and Vary: Origin', async () => {
      const res = await call(app.url, '/api/data', { headers: { origin: APP } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-expose-headers']).toBe('x-request-id');
      expect(varyHas(res, 'Origin')).toBe(true);
      const tenant = await call(app.url, '/api/data', {
        headers: { origin: 'https://acme.tenants.example.com' },
      });
      expect(tenant.headers['access-control-allow-origin']).toBe('https://acme.tenants.example.com');
    });

    it('grants nothing to look-alike, scheme, port, case, null and oversized origins', async () => {
      for (const origin of [
        'https://app.example.com.attacker.com',
        'https://evilapp.example.com',
        'http://app.example.com',
        'https://app.example.com:8443',
        'HTTPS://APP.EXAMPLE.COM',
        'null',
        'https://a.b.tenants.example.com',
        `https://${'a'.repeat(10_240)}.tenants.example.com`,
      ]) {
        const res = await call(app.url, '/api/data', { headers: { origin } });
        expect(res.status, origin).toBe(200);
        expectNoGrant(res);
      }
    });

    it('grants nothing when two Origin headers are sent', async () => {
      const res = await call(app.url, '/api/data', { headers: ['origin', APP, 'origin', APP] });
      expectNoGrant(res);
    });

    it('sends Vary: Origin when there is no Origin', async () => {
      const res = await call(app.url, '/api/data');
      expect(res.status).toBe(200);
      expect(varyHas(res, 'Origin')).toBe(true);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers a granted preflight 204 with explicit lists and Max-Age, before the route handler', async () => {
      const res = await call(app.url, '/api/data', { method: 'OPTIONS', headers: preflight(APP) });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
      expect(res.headers['access-control-allow-headers']).toBe('content-type, authorization');
      expect(res.headers['access-control-max-age']).toBe('600');
      // RFC 9110 §8.6: a 204 carries no Content-Length (Bun drops one; node would send it as given).
      expect(res.headers['content-length']).toBeUndefined();
      expect(varyHas(res, 'Origin')).toBe(true);
      // Also on a path that has no OPTIONS route of its own.
      const other = await call(app.url, '/health', { method: 'OPTIONS', headers: preflight(APP, 'PUT', '') });
      expect(other.status).toBe(204);
    });

    it('refuses a preflight for a header, method or origin not allowed: 403, no grant, handler not run', async () => {
      const cases: [Record<string, string>, string][] = [
        [preflight(APP, 'PUT', 'content-type, x-custom'), 'CORS_HEADERS_DENIED'],
        [preflight(APP, 'PROPFIND'), 'CORS_METHOD_DENIED'],
        [preflight('https://app.example.com.attacker.com'), 'CORS_ORIGIN_DENIED'],
      ];
      for (const [headers, code] of cases) {
        const res = await call(app.url, '/api/data', { method: 'OPTIONS', headers });
        expect(res.status, code).toBe(403);
        expect((res.json() as { code: string }).code).toBe(code);
        expectNoGrant(res);
      }
    });

    it('lets a plain OPTIONS (no Access-Control-Request-Method) reach the route', async () => {
      const res = await call(app.url, '/api/data', { method: 'OPTIONS', headers: { origin: APP } });
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ handler: 'options' });
      expect(res.headers['access-control-allow-origin']).toBe(APP);
    });

    it('keeps the security headers on preflights and CORS denials', async () => {
      const ok = await call(app.url, '/api/data', { method: 'OPTIONS', headers: preflight(APP) });
      const denied = await call(app.url, '/api/data', {
        method: 'OPTIONS',
        headers: preflight(APP, 'PROPFIND'),
      });
      for (const res of [ok, denied]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
      }
    });
  });
}
