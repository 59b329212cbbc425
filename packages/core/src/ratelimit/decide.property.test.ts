import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import { createClientIpResolver } from '../http/client-ip.js';
import type { RequestLike } from '../http/request.js';
import { Reporter } from '../observe/reporter.js';
import type { Verdict } from '../verdict.js';
import { compileBuckets } from './buckets.js';
import { Decision, SingleDecision } from './decide.js';
import { createRateLimiter, type RateLimitInfo, synchronousCheck } from './limiter.js';
import type { RateLimiterOptions } from './limiter-options.js';
import { LimiterReports } from './limiter-reports.js';

const REQ: RequestLike = {
  method: 'GET',
  url: '/orders',
  header: () => undefined,
  remoteAddress: '203.0.113.7',
};

/** What a client and the app see of a verdict: status, fields, body, the info of an allowed request. */
function seen(v: Verdict<RateLimitInfo>): unknown {
  if (v.ok) return { ok: true, headers: v.headers, value: v.value, degraded: v.degraded };
  return {
    ok: false,
    code: v.error?.code,
    status: v.reply.status,
    headers: v.reply.headers,
    body: v.reply.body,
  };
}

const policy = fc.record({
  name: fc.constantFrom('ip', 'a', 'per-ip', 'x.y_z'),
  limit: fc.integer({ min: 1, max: 5000 }),
  windowMs: fc.constantFrom(1, 999, 1000, 1500, 60_000, 3_600_000, 86_400_000),
  burstFactor: fc.constantFrom(0.01, 0.5, 1, 3),
  legacy: fc.constantFrom(undefined, 'delta-seconds' as const, 'epoch-seconds' as const),
});
const float = fc.oneof(
  fc.double({ min: -1e7, max: 1e8, noNaN: true }),
  fc.constantFrom(0, -0, 0.0001, 999.9999, 1000, 1000.0001, Number.NaN, Number.POSITIVE_INFINITY),
);
// Any answer a store may give, a network store's odd ones included (a refusal with no wait, more left than
// the burst): the fast path must write exactly what the general one writes for each.
const answer = fc.record({
  allowed: fc.boolean(),
  remaining: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.constantFrom(-1, 0.5)),
  retryAfterMs: float,
  resetMs: float,
});

describe('the one-bucket decision equals the general one', () => {
  it('same verdict, fields, info and events for any policy and any store answer (unit)', () => {
    fc.assert(
      fc.property(
        policy,
        answer,
        fc.boolean(),
        fc.integer({ min: 0, max: 4e12 }),
        (p, result, listen, nowMs) => {
          const [bucket] = compileBuckets('rl', [
            {
              name: p.name,
              rate: { limit: p.limit, windowMs: p.windowMs },
              burst: Math.max(1, Math.round(p.limit * p.burstFactor)),
            },
          ]);
          const rate = bucket!.rates[0]!;
          const run = (fast: boolean) => {
            const events: SecurityEvent[] = [];
            const reporter = new Reporter(listen ? (e) => events.push(e) : undefined, 'ratelimit');
            const reports = new LimiterReports('rl', 'open', createClientIpResolver({}), reporter);
            const clock = () => nowMs;
            const v = fast
              ? new SingleDecision(rate, reports, p.legacy, clock).decide(REQ, '203.0.113.7', result)
              : new Decision(reports, p.legacy, clock, rate.policy).decide(
                  REQ,
                  '203.0.113.7',
                  [rate],
                  [result],
                );
            return { verdict: seen(v), events };
          };
          expect(run(true)).toEqual(run(false));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a `rate` shorthand limiter answers a random request sequence as the same bucket on the general path does', async () => {
    await fc.assert(
      fc.asyncProperty(
        policy,
        fc.constantFrom(1, 2, 'fn' as const),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 90_000 }), fc.integer({ min: 0, max: 4 })), {
          minLength: 1,
          maxLength: 40,
        }),
        async (p, cost, steps) => {
          let now = 1_700_000_000_123;
          const burst = Math.max(1, Math.round(p.limit * p.burstFactor));
          const common: RateLimiterOptions = {
            now: () => now,
            ...(p.legacy === undefined ? {} : { legacyHeaders: { reset: p.legacy } }),
            ...(cost === 'fn'
              ? { cost: (req: RequestLike) => Number(req.header('x-cost')) }
              : { cost: Math.min(cost, burst) }),
          };
          const fastEvents: SecurityEvent[] = [];
          const slowEvents: SecurityEvent[] = [];
          const rate = { limit: p.limit, windowMs: p.windowMs };
          // The shorthand takes the one-bucket path; a perRoute bucket (the route always known) the general one.
          const fast = createRateLimiter({
            ...common,
            ...(p.name === 'ip' ? { rate, burst } : { buckets: [{ name: p.name, rate, burst }] }),
            onEvent: (e) => fastEvents.push(e),
          });
          const slow = createRateLimiter({
            ...common,
            buckets: [{ name: p.name, rate, burst, perRoute: true }],
            onEvent: (e) => slowEvents.push(e),
          });
          const fastNow = synchronousCheck(fast)!;
          const slowNow = synchronousCheck(slow)!;
          for (const [advance, c] of steps) {
            now += advance;
            const req: RequestLike = { ...REQ, header: (n) => (n === 'x-cost' ? String(c) : undefined) };
            const context = { route: '/orders' };
            const a = seen(fastNow(req, context));
            expect(a).toEqual(seen(slowNow(req, context)));
            // The async check of the same limiters, on the next instant of the same clock.
            expect(seen(await fast.check(req, context))).toEqual(seen(await slow.check(req, context)));
          }
          expect(fastEvents).toEqual(slowEvents);
        },
      ),
      { numRuns: 300 },
    );
  });
});
