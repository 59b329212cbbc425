import type { BucketRule, RateLimitStore } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { realClock, type StoreClock, uniqueKey } from './store-ids.js';

const MINUTE: BucketRule = { intervalMs: 60_000, burst: 5 };
// The one window a scenario must observe from inside: far above scheduler noise on a busy shared machine
// (a 70 ms stall used to flip a 40 ms one), and exact with a manual clock.
const WINDOW_MS = 1_000;

/**
 * The RateLimitStore contract: GCRA with `burst` requests at once and one more every `intervalMs`.
 * Long intervals keep the counts exact however slow the machine; only the refill test waits (on `clock`).
 *
 * @example
 * rateLimitStoreScenarios('memory', () => createMemoryRateLimitStore(), { consumeAll: true });
 */
export function rateLimitStoreScenarios(
  name: string,
  make: () => RateLimitStore | Promise<RateLimitStore>,
  options: { consumeAll?: boolean; clock?: StoreClock } = {},
): void {
  const clock = options.clock ?? realClock;
  describe(`RateLimitStore contract: ${name}`, () => {
    it('admits a full burst, counting down, then denies without consuming', async () => {
      const store = await make();
      const key = uniqueKey('rl');
      const remaining: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await store.consume(key, MINUTE, 1);
        expect(r.allowed).toBe(true);
        expect(r.retryAfterMs).toBe(0);
        remaining.push(r.remaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const denied = await store.consume(key, MINUTE, 1);
      expect(denied.allowed).toBe(false);
      expect(denied.remaining).toBe(0);
      expect(denied.retryAfterMs).toBeGreaterThan(0);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(denied.resetMs).toBeGreaterThan(4 * 60_000);
      expect(denied.resetMs).toBeLessThanOrEqual(5 * 60_000);
      const again = await store.consume(key, MINUTE, 1);
      expect(again.allowed).toBe(false);
      expect(again.retryAfterMs).toBeLessThanOrEqual(denied.retryAfterMs);
    });

    it('reports how long until the bucket is full again', async () => {
      const store = await make();
      const first = await store.consume(uniqueKey('rl'), MINUTE, 1);
      expect(first.resetMs).toBeGreaterThan(0);
      expect(first.resetMs).toBeLessThanOrEqual(60_000);
    });

    it('consumes `cost` at once and refuses a cost that does not fit', async () => {
      const store = await make();
      const key = uniqueKey('rl');
      expect(await store.consume(key, MINUTE, 3)).toMatchObject({ allowed: true, remaining: 2 });
      expect((await store.consume(key, MINUTE, 3)).allowed).toBe(false);
      expect(await store.consume(key, MINUTE, 2)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('never reports more remaining than the burst, even at an interval below a microsecond', async () => {
      // 1e9 a minute: 0.06 µs apart, below the stores' 1 µs float slack, which once counted as 16 units.
      const store = await make();
      const rule: BucketRule = { intervalMs: 60_000 / 1e9, burst: 1e9 };
      expect(await store.consume(uniqueKey('rl'), rule, 1)).toMatchObject({
        allowed: true,
        remaining: 1e9 - 1,
      });
      expect(await store.consume(uniqueKey('rl'), rule, 5)).toMatchObject({
        allowed: true,
        remaining: 1e9 - 5,
      });
      if (options.consumeAll) {
        const [a, b] = await store.consumeAll!([
          { key: uniqueKey('rl'), rule, cost: 1 },
          { key: uniqueKey('rl'), rule, cost: 3 },
        ]);
        expect([a!.remaining, b!.remaining]).toEqual([1e9 - 1, 1e9 - 3]);
      }
    });

    it('refills one request per interval', async () => {
      const store = await make();
      const key = uniqueKey('rl');
      const rule: BucketRule = { intervalMs: WINDOW_MS, burst: 1 };
      expect((await store.consume(key, rule, 1)).allowed).toBe(true);
      const denied = await store.consume(key, rule, 1);
      expect(denied.allowed).toBe(false);
      expect(denied.retryAfterMs).toBeGreaterThan(0);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
      await clock.sleep(denied.retryAfterMs + WINDOW_MS / 2);
      expect((await store.consume(key, rule, 1)).allowed).toBe(true);
    });

    it('keeps buckets apart, including keys that differ only after braces', async () => {
      const store = await make();
      const base = uniqueKey('rl');
      const one: BucketRule = { intervalMs: 60_000, burst: 1 };
      expect((await store.consume(`${base}{a}`, one, 1)).allowed).toBe(true);
      expect((await store.consume(`${base}{b}`, one, 1)).allowed).toBe(true);
      expect((await store.consume(`${base}}{`, one, 1)).allowed).toBe(true);
      expect((await store.consume(`${base}{a}`, one, 1)).allowed).toBe(false);
    });

    it('admits exactly `burst` of many concurrent requests', async () => {
      const store = await make();
      const key = uniqueKey('rl');
      const rule: BucketRule = { intervalMs: 60_000, burst: 10 };
      const results = await Promise.all(Array.from({ length: 60 }, () => store.consume(key, rule, 1)));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
    });

    // consumeAll is optional in the interface; a store that offers it runs these.
    if (options.consumeAll !== true) return;

    it('consumeAll: admits only when every bucket admits, and then consumes from each', async () => {
      const store = await make();
      const [a, b] = [uniqueKey('rl-a'), uniqueKey('rl-b')];
      const results = await store.consumeAll!([
        { key: a, rule: MINUTE, cost: 1 },
        { key: b, rule: { intervalMs: 60_000, burst: 2 }, cost: 1 },
      ]);
      expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
        [true, 4],
        [true, 1],
      ]);
    });

    it('consumeAll: consumes nothing when one bucket denies', async () => {
      const store = await make();
      const [a, b] = [uniqueKey('rl-a'), uniqueKey('rl-b')];
      const one: BucketRule = { intervalMs: 60_000, burst: 1 };
      expect((await store.consume(b, one, 1)).allowed).toBe(true);
      const results = await store.consumeAll!([
        { key: a, rule: MINUTE, cost: 1 },
        { key: b, rule: one, cost: 1 },
      ]);
      expect(results).toHaveLength(2);
      expect(results.every((r) => r.allowed)).toBe(false);
      expect(results[1]?.allowed).toBe(false);
      expect(results[1]?.retryAfterMs).toBeGreaterThan(0);
      // A bucket that would have admitted says so (the limiter names only the exhausted ones), as it stands.
      expect(results[0]).toMatchObject({ allowed: true, remaining: 5, retryAfterMs: 0 });
      // Bucket `a` was not charged for the denied request.
      expect(await store.consume(a, MINUTE, 1)).toMatchObject({ allowed: true, remaining: 4 });
    });

    it('consumeAll: counts a key listed twice once per listing', async () => {
      const store = await make();
      const key = uniqueKey('rl');
      const rule: BucketRule = { intervalMs: 60_000, burst: 3 };
      const twice = await store.consumeAll!([
        { key, rule, cost: 1 },
        { key, rule, cost: 1 },
      ]);
      expect(twice.map((r) => r.remaining)).toEqual([2, 1]);
      expect(
        (
          await store.consumeAll!([
            { key, rule, cost: 1 },
            { key, rule, cost: 1 },
          ])
        ).every((r) => r.allowed),
      ).toBe(false);
      expect(await store.consume(key, rule, 1)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('consumeAll: a shared bucket admits exactly its burst under concurrency', async () => {
      const store = await make();
      const consumeAll = store.consumeAll!.bind(store);
      const shared = uniqueKey('rl-global');
      const rule: BucketRule = { intervalMs: 60_000, burst: 10 };
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          consumeAll([
            { key: uniqueKey('rl-user'), rule: MINUTE, cost: 1 },
            { key: shared, rule, cost: 1 },
          ]),
        ),
      );
      expect(results.filter((r) => r.every((x) => x.allowed))).toHaveLength(10);
    });
  });
}
