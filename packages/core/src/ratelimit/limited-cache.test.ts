import { describe, expect, it } from 'vitest';
import type { RequestLike } from '../http/request.js';
import { createRateLimiter } from './limiter.js';

// Denials share one 429 per identical header set; the legacy trio must be part of what makes two sets identical.
describe('the shared 429 of identical denials', () => {
  async function lastDenial(costs: readonly number[]) {
    const limiter = createRateLimiter({
      buckets: [
        { name: 'b0', rate: { limit: 9, windowMs: 7000 }, burst: 5 },
        { name: 'b1', rate: { limit: 7, windowMs: 2000 }, burst: 4 },
      ],
      legacyHeaders: true,
      now: () => 1_000_000,
      cost: (req) => Number(req.header('x-cost')),
    });
    let verdict: Awaited<ReturnType<typeof limiter.check>> | undefined;
    for (const cost of costs) {
      const req: RequestLike = {
        method: 'GET',
        url: '/',
        remoteAddress: '203.0.113.7',
        header: (n) => (n === 'x-cost' ? String(cost) : undefined),
      };
      verdict = await limiter.check(req);
    }
    if (verdict === undefined || verdict.ok) throw new Error('expected a denial');
    return Object.fromEntries(verdict.reply.headers);
  }

  it('is not reused for a denial whose X-RateLimit-* describe another bucket', async () => {
    // Both refuse a cost of 2 and b0 waits longer: the trio is b0's (limit 9, 1 left).
    const both = await lastDenial([3, 1, 2]);
    // Only b1 refuses a cost of 1: the trio is b1's (limit 7, 0 left). RateLimit, Retry-After and the reset are
    // the same strings as above.
    const one = await lastDenial([3, 1, 1]);
    expect(one.ratelimit).toBe(both.ratelimit);
    expect(one['retry-after']).toBe(both['retry-after']);
    expect(one['x-ratelimit-reset']).toBe(both['x-ratelimit-reset']);
    expect([both['x-ratelimit-limit'], both['x-ratelimit-remaining']]).toEqual(['9', '1']);
    expect([one['x-ratelimit-limit'], one['x-ratelimit-remaining']]).toEqual(['7', '0']);
  });
});
