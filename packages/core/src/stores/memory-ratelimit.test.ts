import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { createMemoryRateLimitStore } from './memory-ratelimit.js';

const rule = { intervalMs: 1000, burst: 2 };

describe('createMemoryRateLimitStore', () => {
  it('consumes atomically per key with GCRA', async () => {
    let now = 0;
    const store = createMemoryRateLimitStore({ now: () => now });
    expect((await store.consume('a', rule, 1)).allowed).toBe(true);
    expect((await store.consume('a', rule, 1)).allowed).toBe(true);
    expect(await store.consume('a', rule, 1)).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    expect((await store.consume('b', rule, 1)).allowed).toBe(true);
    now = 1000;
    expect((await store.consume('a', rule, 1)).allowed).toBe(true);
  });

  it('consumeAll is all-or-nothing: a denied bucket leaves the others untouched', async () => {
    const store = createMemoryRateLimitStore({ now: () => 0 });
    const tight = { intervalMs: 1000, burst: 1 };
    await store.consume('tight', tight, 1);
    const results = await store.consumeAll([
      { key: 'loose', rule, cost: 1 },
      { key: 'tight', rule: tight, cost: 1 },
    ]);
    expect(results.map((r) => r.allowed)).toEqual([true, false]);
    // 'loose' reports its state without this request and still has its whole burst
    expect(results[0]!.remaining).toBe(2);
    expect((await store.consume('loose', rule, 2)).allowed).toBe(true);
  });

  it('consumeAll counts a key listed twice twice', async () => {
    const store = createMemoryRateLimitStore({ now: () => 0 });
    const results = await store.consumeAll([
      { key: 'k', rule, cost: 1 },
      { key: 'k', rule, cost: 1 },
      { key: 'k', rule, cost: 1 },
    ]);
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect((await store.consume('k', rule, 1)).allowed).toBe(true); // the denied call consumed nothing
  });

  it('stays bounded under 1M distinct keys and keeps an active abuser tracked', () => {
    const store = createMemoryRateLimitStore({ maxEntries: 10_000, now: () => 0 });
    const one = { intervalMs: 60_000, burst: 1 };
    store.consumeAllSync([{ key: 'abuser', rule: one, cost: 1 }]);
    let max = 0;
    for (let i = 0; i < 1_000_000; i++) {
      store.consumeAllSync([{ key: `spoofed-${i}`, rule: one, cost: 1 }]);
      if (i % 1000 === 0) {
        // the abuser keeps hammering (denied) while the flood goes on
        expect(store.consumeAllSync([{ key: 'abuser', rule: one, cost: 1 }])[0]!.allowed).toBe(false);
      }
      if (store.size > max) max = store.size;
    }
    expect(max).toBeLessThanOrEqual(10_000);
    expect(store.consumeAllSync([{ key: 'abuser', rule: one, cost: 1 }])[0]!.allowed).toBe(false);
  });

  it('keeps a refused multi-bucket client tracked through a flood too', () => {
    const store = createMemoryRateLimitStore({ maxEntries: 1000, now: () => 0 });
    const one = { intervalMs: 60_000, burst: 1 };
    const both = () =>
      store.consumeAllSync([
        { key: 'ip|abuser', rule: one, cost: 1 },
        { key: 'user|abuser', rule: one, cost: 1 },
      ]);
    expect(both().every((r) => r.allowed)).toBe(true);
    for (let i = 0; i < 100_000; i++) {
      store.consumeAllSync([{ key: `spoofed-${i}`, rule: one, cost: 1 }]);
      if (i % 100 === 0) expect(both().some((r) => r.allowed)).toBe(false);
    }
    expect(store.size).toBeLessThanOrEqual(1000);
  });

  it('a flood of short-lived keys cannot reset a quiet client whose long-window bucket is still limiting', () => {
    let now = 0;
    const store = createMemoryRateLimitStore({ maxEntries: 100, now: () => now });
    const daily = { intervalMs: 86_400_000 / 5, burst: 5 }; // 5/day, e.g. SMS per user
    const perIp = { intervalMs: 600, burst: 100 }; // 100/min
    for (let i = 0; i < 5; i++)
      expect(store.consumeAllSync([{ key: 'user|alice', rule: daily, cost: 1 }])[0]!.allowed).toBe(true);
    expect(store.consumeAllSync([{ key: 'user|alice', rule: daily, cost: 1 }])[0]!.allowed).toBe(false);
    // alice stays quiet while requests from 1,000 fresh addresses push two generations through
    for (let i = 0; i < 1000; i++) {
      now += 10;
      store.consumeAllSync([{ key: `ip|2001:db8:${i.toString(16)}::/64`, rule: perIp, cost: 1 }]);
      expect(store.size).toBeLessThanOrEqual(100);
    }
    expect(store.consumeAllSync([{ key: 'user|alice', rule: daily, cost: 1 }])[0]!.allowed).toBe(false);
  });

  it('refuses a bound below 2', () => {
    expect(() => createMemoryRateLimitStore({ maxEntries: 1 })).toThrow(ConfigError);
    expect(() => createMemoryRateLimitStore({ maxEntries: Number.NaN })).toThrow(
      /stores\.ratelimit\.maxEntries: NaN is not an integer between 2 and/,
    );
  });
});
