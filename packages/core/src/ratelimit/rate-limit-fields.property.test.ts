import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createRateLimiter } from './limiter.js';

interface Item {
  readonly r: number;
  readonly t: number | undefined;
}

/** `"a";r=1;t=2, "b";r=0` → { a: { r: 1, t: 2 }, b: { r: 0, t: undefined } } (our own serialisation). */
function items(field: string): Record<string, Item> {
  const out: Record<string, Item> = {};
  for (const part of field.split(', ')) {
    const [name, ...params] = part.split(';');
    const p = Object.fromEntries(params.map((x) => x.split('=') as [string, string]));
    out[name!.slice(1, -1)] = { r: Number(p.r), t: p.t === undefined ? undefined : Number(p.t) };
  }
  return out;
}

const bucketSpec = fc.record({
  limit: fc.integer({ min: 1, max: 12 }),
  windowS: fc.constantFrom(1, 2, 7, 60, 3600),
  burstFactor: fc.constantFrom(0.5, 1, 2),
});

describe('RateLimit fields agree with each other and with Retry-After (draft-10 §4.1.2, §6)', () => {
  it('t is when one more request is admitted; a refusing bucket never has t later than Retry-After; X-RateLimit-* is one of the items', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(bucketSpec, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 1, max: 4 })), {
          minLength: 1,
          maxLength: 25,
        }),
        async (specs, steps) => {
          let now = 1_000_000;
          const events: SecurityEvent[] = [];
          const buckets = specs.map((b, i) => ({
            name: `b${i}`,
            rate: { limit: b.limit, windowMs: b.windowS * 1000 },
            burst: Math.max(1, Math.round(b.limit * b.burstFactor)),
          }));
          const minBurst = Math.min(...buckets.map((b) => b.burst));
          const limiter = createRateLimiter({
            buckets,
            legacyHeaders: true,
            now: () => now,
            onEvent: (e) => events.push(e),
            // x-cost: 0 is a probe that reads the buckets without charging them.
            cost: (req) => Number(req.header('x-cost') ?? '1'),
          });
          const request = (cost: number): RequestLike => ({
            method: 'GET',
            url: '/',
            remoteAddress: '203.0.113.7',
            header: (n) => (n === 'x-cost' ? String(cost) : undefined),
          });
          for (const [advance, cost] of steps) {
            now += advance;
            const v = await limiter.check(request(Math.min(cost, minBurst)));
            const h = Object.fromEntries(v.ok ? v.headers : v.reply.headers);
            const current = items(h.ratelimit!);
            const policy = items(h['ratelimit-policy']!.replace(/;q=/g, ';r=').replace(/;w=/g, ';t='));
            // RateLimit-Policy carries each bucket's q and w.
            buckets.forEach((b) => {
              expect(policy[b.name]).toEqual({ r: b.rate.limit, t: Math.ceil(b.rate.windowMs / 1000) });
            });
            // The X-RateLimit-* trio describes one of the items, with the same t.
            const described = Object.entries(current).filter(
              ([name, item]) =>
                item.r === Number(h['x-ratelimit-remaining']) &&
                (item.t ?? 0) === Number(h['x-ratelimit-reset']) &&
                policy[name]!.r === Number(h['x-ratelimit-limit']),
            );
            expect(described.length).toBeGreaterThan(0);
            if (!v.ok) {
              const denied = events.at(-1)!.data!.buckets as string[];
              const retryAfter = Number(h['retry-after']);
              for (const name of denied) expect(current[name]!.t!).toBeLessThanOrEqual(retryAfter);
              expect(Number(h['x-ratelimit-reset'])).toBeLessThanOrEqual(retryAfter);
              expect(denied.map((n) => current[n]!.r)).toContain(Number(h['x-ratelimit-remaining']));
            }
          }
          // t means what the draft says: one second before it, no unit has come back; at t, one has.
          const read = async () => {
            const v = await limiter.check(request(0));
            return items(Object.fromEntries(v.ok ? v.headers : v.reply.headers).ratelimit!);
          };
          const before = await read();
          const start = now;
          // The clock only moves forward (a probe at an earlier time would see a later state).
          const times = [
            ...new Set(Object.values(before).flatMap((i) => (i.t === undefined ? [] : [i.t - 1, i.t]))),
          ]
            .filter((t) => t >= 0)
            .sort((a, b) => a - b);
          for (const at of times) {
            now = start + at * 1000;
            const seen = await read();
            for (const [name, item] of Object.entries(before)) {
              if (item.t === undefined) continue;
              if (at === item.t - 1) expect(seen[name]!.r, `${name} at t-1`).toBe(item.r);
              if (at === item.t) expect(seen[name]!.r, `${name} at t`).toBeGreaterThanOrEqual(item.r + 1);
            }
          }
        },
      ),
      {
        numRuns: 300,
        // Found by CI: the next unit exactly 6 s away in reals, 6000.0000001 ms in floats, was announced as t=7.
        examples: [
          [
            [{ limit: 9, windowS: 60, burstFactor: 0.5 }],
            [
              [0, 2],
              [3406, 2],
              [2962, 2],
              [3660, 1],
              [3972, 2],
            ],
          ],
        ],
      },
    );
  });
});
