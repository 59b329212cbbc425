import { createServer, type Server } from 'node:http';
import {
  bearer,
  call,
  jwtSpec,
  makeTestKeys,
  mint,
  SPENT_3_PER_MIN,
  type StoreSide,
  syncPathSides,
} from '@bulwark/conformance';
import type { RateLimiterOptions } from '@bulwark/core';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { rateLimit, requireJwt } from '../src/index.js';
import { closeServer, listen } from './harness.js';

// On the memory store rateLimit() decides synchronously (next() without a promise); a network store's
// answer is awaited. Both must answer every request alike, before and after requireJwt().
describe('express rateLimit: the memory store (synchronous middleware) answers as a promise-only store does', () => {
  it('every status, header and body alike, per-IP before requireJwt and per-subject after it', async () => {
    const keys = await makeTestKeys();
    const alice = await mint(keys);
    const sides = syncPathSides();
    const start = async (side: StoreSide): Promise<{ server: Server; url: string }> => {
      const limiter = (options: RateLimiterOptions) => sides.limiter(side, options);
      const app = express();
      const jwt = requireJwt(jwtSpec(keys));
      app.get('/early', rateLimit(limiter({ name: 'early', rate: '3/min' })), jwt, (_req, res) => {
        res.json({ ok: true });
      });
      const perUser = limiter({
        name: 'user',
        buckets: [
          { name: 'ip', rate: '5/min' },
          { name: 'user', key: 'subject', rate: '2/min' },
        ],
      });
      app.get('/user', jwt, rateLimit(perUser), (_req, res) => {
        res.json({ ok: true });
      });
      const server = createServer(app);
      return { server, url: await listen(server) };
    };
    const steps: [string, string][] = [
      ['/early', alice],
      ['/early', 'bad.token.1'],
      ['/early', alice],
      ['/early', alice],
      ['/user', alice],
      ['/user', alice],
      ['/user', alice],
      ['/user', 'bad.token.2'],
    ];
    const run = async (url: string) => {
      const out = [];
      for (const [path, token] of steps) {
        const res = await call(url, path, { headers: bearer(token) });
        const { date: _date, ...headers } = res.headers;
        out.push({ path, status: res.status, headers, body: res.text });
      }
      return out;
    };
    const sync = await start('memory');
    const promised = await start('promised');
    try {
      const a = await sides.same((side) => run((side === 'memory' ? sync : promised).url));
      expect(a.map((r) => r.status)).toEqual([200, 401, 200, 429, 200, 200, 429, 401]);
      expect(a[3]!.headers).toMatchObject(SPENT_3_PER_MIN);
      sides.advance(60_000);
      expect((await call(sync.url, '/early', { headers: bearer(alice) })).status).toBe(200);
    } finally {
      await closeServer(sync.server);
      await closeServer(promised.server);
    }
  });
});
