import type { RateLimiterOptions } from '@bulwark/core';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AdapterHarness, AppSpec, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { bearer, call, type HttpResult } from '../http.js';
import { AUDIENCE, ISSUER, makeTestKeys, type TestKeys } from '../keys.js';
import { jwtSpec } from './jwt.js';

/**
 * The limiters behind the rate-limit routes. Every request of the suite comes from 127.0.0.1:
 * `direct` trusts no proxy (so X-Forwarded-For must be ignored), `proxied` and `token` trust loopback
 * (so the suite can play a proxy and choose the client address).
 */
export function rateLimitSpec(): NonNullable<AppSpec['rateLimit']> {
  const silent = { onEvent: () => {} };
  const direct: RateLimiterOptions = { name: 'direct', rate: '3/min', clientIp: silent };
  const proxied: RateLimiterOptions = {
    name: 'proxied',
    rate: '2/min',
    clientIp: { trustedProxies: ['loopback'] },
  };
  const token: RateLimiterOptions = {
    name: 'token',
    clientIp: { trustedProxies: ['loopback'] },
    buckets: [
      { name: 'ip', rate: '3/min' },
      { name: 'user', key: 'subject', rate: '2/min' },
    ],
  };
  return { direct, proxied, token };
}

async function mintFor(keys: TestKeys, sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'orders:read' })
    .setProtectedHeader({ alg: 'ES256', kid: keys.ec.publicJwk.kid!, typ: 'at+jwt' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(keys.ec.privateKey);
}

const xff = (value: string): Record<string, string> => ({ 'x-forwarded-for': value });

function expectLimited(res: HttpResult, policy: string): void {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect((res.json() as { code: string }).code).toBe('RATELIMIT_EXCEEDED');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(res.headers['ratelimit-policy']).toBe(policy);
  // Every item with nothing left refuses a request of cost 1; its t (when one more request is admitted,
  // draft-10 §4.1.2) must not be later than Retry-After (draft §6).
  const refusing = String(res.headers.ratelimit)
    .split(', ')
    .filter((item) => item.includes(';r=0'));
  expect(refusing.length).toBeGreaterThan(0);
  for (const item of refusing) {
    expect(Number(/;t=(\d+)/.exec(item)?.[1]), item).toBeLessThanOrEqual(retryAfter);
  }
}

/**
 * Rate-limit scenarios: every adapter must answer these identically.
 */
export function rateLimitScenarios(harness: AdapterHarness): void {
  scenarioGroup(harness, 'ratelimit', 'rate limiting', () => {
    let keys: TestKeys;
    let app: RunningApp;

    beforeAll(async () => {
      keys = await makeTestKeys();
      app = await harness.start({ jwt: jwtSpec(keys), rateLimit: rateLimitSpec() });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('counts down in the RateLimit fields, then answers 429 problem+json with Retry-After; XFF cycling from an untrusted peer changes nothing', async () => {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await call(app.url, '/rl/direct', { headers: xff(`198.51.100.${i}`) });
        expect(res.status).toBe(200);
        expect(res.headers['ratelimit-policy']).toBe('"ip";q=3;w=60');
        remaining.push(String(res.headers.ratelimit));
      }
      expect(remaining.map((r) => r.replace(/;t=\d+/, ''))).toEqual(['"ip";r=2', '"ip";r=1', '"ip";r=0']);
      for (let i = 3; i < 10; i++) {
        const res = await call(app.url, '/rl/direct', { headers: xff(`198.51.100.${i}`) });
        expectLimited(res, '"ip";q=3;w=60');
        expect(res.headers.ratelimit).toMatch(/^"ip";r=0;t=\d+$/);
      }
      // Forwarded and sealed-looking headers from an untrusted peer are ignored as well.
      const forged = await call(app.url, '/rl/direct', {
        headers: {
          forwarded: 'for=203.0.113.1',
          'cf-connecting-ip': '203.0.113.2',
          'x-real-ip': '203.0.113.3',
        },
      });
      expect(forged.status).toBe(429);
    });

    it('behind a trusted proxy the right-most untrusted hop is the key', async () => {
      expect((await call(app.url, '/rl/proxied', { headers: xff('203.0.113.10') })).status).toBe(200);
      expect((await call(app.url, '/rl/proxied', { headers: xff('6.6.6.6, 203.0.113.10') })).status).toBe(
        200,
      );
      // whatever the client prepends, its own address (appended by the proxy) is the key
      expectLimited(
        await call(app.url, '/rl/proxied', { headers: xff('7.7.7.7, 203.0.113.10') }),
        '"ip";q=2;w=60',
      );
      expectLimited(
        await call(app.url, '/rl/proxied', { headers: xff('203.0.113.10, 127.0.0.1') }),
        '"ip";q=2;w=60',
      );
      expect(
        (await call(app.url, '/rl/proxied', { headers: xff('203.0.113.10, 203.0.113.11') })).status,
      ).toBe(200);
    });

    it('IPv6 clients in one /64 share a bucket', async () => {
      expect((await call(app.url, '/rl/proxied', { headers: xff('2001:db8:1:2::1') })).status).toBe(200);
      expect((await call(app.url, '/rl/proxied', { headers: xff('2001:DB8:1:2:ffff::9') })).status).toBe(200);
      expectLimited(
        await call(app.url, '/rl/proxied', { headers: xff('2001:db8:1:2:1234:5678:9abc:def0') }),
        '"ip";q=2;w=60',
      );
      expect((await call(app.url, '/rl/proxied', { headers: xff('2001:db8:1:3::1') })).status).toBe(200);
    });

    it('admits exactly the limit out of 300 concurrent requests from one client', async () => {
      const all = await Promise.all(
        Array.from({ length: 300 }, () => call(app.url, '/rl/proxied', { headers: xff('203.0.113.200') })),
      );
      expect(all.filter((r) => r.status === 200)).toHaveLength(2);
      expect(all.filter((r) => r.status === 429)).toHaveLength(298);
    });

    it('enforces per-token and per-IP buckets together; a denial consumes neither', async () => {
      const policy = '"ip";q=3;w=60, "user";q=2;w=60';
      const alice = bearer(await mintFor(keys, 'alice'));
      const at = (ip: string, auth: Record<string, string>) => ({ headers: { ...auth, ...xff(ip) } });
      const first = await call(app.url, '/rl/token', at('203.0.113.20', alice));
      expect(first.status).toBe(200);
      expect(first.headers['ratelimit-policy']).toBe(policy);
      expect((await call(app.url, '/rl/token', at('203.0.113.20', alice))).status).toBe(200);
      // alice's token bucket is empty, from any address
      const denied = await call(app.url, '/rl/token', at('203.0.113.20', alice));
      expectLimited(denied, policy);
      expect(denied.headers.ratelimit).toMatch(/^"ip";r=1;t=\d+, "user";r=0;t=\d+$/);
      expect((await call(app.url, '/rl/token', at('203.0.113.21', alice))).status).toBe(429);
      // the IP bucket was not charged by those denials: one more user fits from .20, then the IP is full
      const bob = bearer(await mintFor(keys, 'bob'));
      expect((await call(app.url, '/rl/token', at('203.0.113.20', bob))).status).toBe(200);
      const carol = bearer(await mintFor(keys, 'carol'));
      const ipFull = await call(app.url, '/rl/token', at('203.0.113.20', carol));
      expectLimited(ipFull, policy);
      // carol's bucket is full: no more quota will be made available, so it has no t.
      expect(ipFull.headers.ratelimit).toMatch(/^"ip";r=0;t=\d+, "user";r=2$/);
      // and an invalid token is refused by the JWT rule (fetch's protect() also counts it in the IP bucket;
      // on express, fastify and NestJS only a limiter in front of requireJwt would)
      expect((await call(app.url, '/rl/token', at('203.0.113.30', bearer('x.y.z')))).status).toBe(401);
    });
  });
}
