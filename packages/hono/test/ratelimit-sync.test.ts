import {
  jwtSpec,
  makeTestKeys,
  mint,
  SPENT_3_PER_MIN,
  type StoreSide,
  syncPathSides,
} from '@bulwark/conformance';
import type { RateLimiterOptions } from '@bulwark/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { rateLimit, requireJwt } from '../src/index.js';

// On the memory store rateLimit() decides without awaiting the limiter; a network store's answer is awaited.
// Both must answer every request alike, before and after requireJwt(), through Hono's error handler.
describe('hono rateLimit: the memory store (no await) answers as a promise-only store does', () => {
  it('every status, header and body alike, per-IP before requireJwt and per-subject after it', async () => {
    const keys = await makeTestKeys();
    const token = await mint(keys);
    const sides = syncPathSides();
    const build = (side: StoreSide) => {
      const limiter = (options: RateLimiterOptions) => sides.limiter(side, options);
      const app = new Hono();
      const jwt = requireJwt(jwtSpec(keys));
      app.get('/early', rateLimit(limiter({ name: 'early', rate: '3/min' })), jwt, (c) => c.json({ ok: 1 }));
      const perUser = limiter({
        name: 'user',
        buckets: [
          { name: 'ip', rate: '5/min' },
          { name: 'user', key: 'subject', rate: '2/min' },
        ],
      });
      app.get('/user', jwt, rateLimit(perUser), (c) => c.json({ ok: 1 }));
      return app;
    };
    const client = { remoteAddr: { transport: 'tcp', hostname: '192.0.2.7', port: 1 } };
    const steps: [string, string][] = [
      ['/early', token],
      ['/early', 'bad.token.1'],
      ['/early', token],
      ['/early', token],
      ['/user', token],
      ['/user', token],
      ['/user', token],
      ['/user', 'bad.token.2'],
    ];
    const run = async (app: Hono) => {
      const out = [];
      for (const [path, bearer] of steps) {
        const res = await app.request(path, { headers: { authorization: `Bearer ${bearer}` } }, client);
        out.push({ path, status: res.status, headers: [...res.headers], body: await res.text() });
      }
      return out;
    };
    const sync = build('memory');
    const a = await sides.same((side) => run(side === 'memory' ? sync : build(side)));
    expect(a.map((r) => r.status)).toEqual([200, 401, 200, 429, 200, 200, 429, 401]);
    expect(Object.fromEntries(a[3]!.headers)).toMatchObject(SPENT_3_PER_MIN);
    sides.advance(60_000);
    const again = await sync.request('/early', { headers: { authorization: `Bearer ${token}` } }, client);
    expect(again.status).toBe(200);
  });
});
