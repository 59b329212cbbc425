import { type BucketRule, createMemoryRateLimitStore } from '@bulwark/core';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimitStore } from '../src/index.js';
import { connect, runPrefix } from './redis-url.js';

// The stored value of a bucket: its theoretical arrival time (TAT) in integer microseconds since the epoch.
// Until issue #18 round 2 it was milliseconds with a fraction (written by `SET key <float ms> PX <ms>`); a
// key written that way by an earlier version must keep limiting exactly where it stood: no crash, no quota
// given back, and the next write moves it to the new format.
const prefix = runPrefix('rlformat');
let client: Redis;
let run = 0;

beforeAll(async () => {
  client = await connect();
});
afterAll(async () => {
  const keys = await client.keys(`*${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
});

const keyOf = (p: string, key: string): string => `{${p}:rl}:${key}`;

/** The server clock in ms, with the µs fraction. */
async function serverNowMs(): Promise<number> {
  const [s, us] = await client.time();
  return Number(s) * 1000 + Number(us) / 1000;
}

/** What the previous script stored after `used` units of `rule` at the server's now; that now. */
async function writeOldFormat(key: string, rule: BucketRule, used: number): Promise<number> {
  const now = await serverNowMs();
  const tat = now + used * rule.intervalMs;
  // Lua handed SET a double that Redis printed with %.17g: a fraction of a ms, never an integer µs.
  await client.set(key, String(tat + 1e-4), 'PX', Math.max(1, Math.ceil(tat - now)));
  return now;
}

describe('Redis rate-limit stored format', () => {
  it('stores the TAT as integer µs with an expiry at or after it (the next whole second)', async () => {
    const p = `${prefix}-a`;
    const store = createRedisRateLimitStore({ client, prefix: p });
    // 1/min: the counts below hold unless a minute passes (at 600 ms a unit, five calls that took 600 ms
    // between them on a loaded machine saw a unit come back).
    const rule = { intervalMs: 60_000, burst: 100 };
    const before = await serverNowMs();
    for (let i = 0; i < 5; i++) expect((await store.consume('k', rule, 1)).remaining).toBe(99 - i);
    const [value, pexpireAt, nowMs] = await Promise.all([
      client.get(keyOf(p, 'k')),
      client.pexpiretime(keyOf(p, 'k')),
      serverNowMs(),
    ]);
    expect(value).toMatch(/^[0-9]{16}$/);
    const tatMs = Number(value) / 1000;
    // Five units of a minute ahead of the first call's clock, which was between the two TIME reads (a bound
    // that holds however slowly the calls ran; it was "at most 5 s ago", which a loaded machine can exceed).
    expect(tatMs).toBeGreaterThanOrEqual(before + 300_000 - 0.001); // 1 µs: float division
    expect(tatMs).toBeLessThanOrEqual(nowMs + 300_000 + 0.001);
    expect(pexpireAt).toBeGreaterThanOrEqual(Math.ceil(tatMs));
    expect(pexpireAt).toBeLessThanOrEqual(Math.floor(tatMs / 1000) * 1000 + 1000);
  });

  it('keeps the expiry ahead of the TAT when in-place updates cross a second', async () => {
    const p = `${prefix}-b`;
    const store = createRedisRateLimitStore({ client, prefix: p });
    // 250 ms a unit: 40 units move the TAT across 10 whole seconds. The first call takes 400 units, so the
    // TAT stands 100 s ahead of the server's clock and every call after it finds the TAT in the future and
    // updates it in place (INCRBY, PEXPIREAT when it crosses a second), however slowly this process gets
    // from one call to the next (short of 100 s). Taking one unit at a time from an empty bucket, a loaded
    // machine (700 ms a call) let the TAT fall behind the clock: the bucket refilled, each call wrote it
    // afresh with SET, and the in-place path was never tested.
    const rule = { intervalMs: 250, burst: 440 };
    expect((await store.consume('k', rule, 400)).allowed).toBe(true);
    const first = Number(await client.get(keyOf(p, 'k')));
    let tat = first;
    for (let i = 0; i < 40; i++) {
      expect((await store.consume('k', rule, 1)).allowed).toBe(true);
      const [value, pexpireAt] = await Promise.all([
        client.get(keyOf(p, 'k')),
        client.pexpiretime(keyOf(p, 'k')),
      ]);
      // One unit later than the last TAT, not the clock's now plus one unit.
      expect(Number(value) - tat).toBe(250_000);
      tat = Number(value);
      expect(pexpireAt).toBeGreaterThanOrEqual(Math.ceil(tat / 1000));
    }
    expect(Math.floor(tat / 1_000_000) - Math.floor(first / 1_000_000)).toBe(10);
    // The TAT is still ahead of the clock, so a whole burst does not fit.
    expect((await store.consume('k', rule, rule.burst)).allowed).toBe(false);
  });

  it('a bucket written in the old millisecond format limits exactly as the memory store at that state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          intervalMs: fc.constantFrom(60_000, 90_000, 60_000 / 7),
          burst: fc.integer({ min: 1, max: 6 }),
        }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (rule, usedRaw, costs, viaConsumeAll) => {
          run += 1;
          const p = `${prefix}-old-${run}`;
          const used = Math.min(usedRaw, rule.burst);
          const redis = createRedisRateLimitStore({ client, prefix: p });
          // The memory store runs on the Redis server's clock: set to the time the old value was written
          // for, then to the TIME read just before each Redis call. The two stores' times then differ by no
          // more than the longest window from that read to the one after the call, however long this
          // process takes between the Redis call and the memory one (a fixed 250 ms over two clocks did not
          // hold on a loaded machine).
          const clock = { ms: await writeOldFormat(keyOf(p, 'k'), rule, used) };
          const memory = createMemoryRateLimitStore({ now: () => clock.ms });
          for (let i = 0; i < used; i++) await memory.consume('k', rule, 1);
          let windowMs = 0;
          for (const cost of costs) {
            const before = await serverNowMs();
            const fromRedis = viaConsumeAll
              ? (
                  await redis.consumeAll!([
                    { key: 'k', rule, cost },
                    { key: 'other', rule: { intervalMs: 1000, burst: 1000 }, cost: 0 },
                  ])
                )[0]!
              : await redis.consume('k', rule, cost);
            windowMs = Math.max(windowMs, (await serverNowMs()) - before);
            clock.ms = before;
            const fromMemory = await memory.consume('k', rule, cost);
            expect([fromRedis.allowed, fromRedis.remaining]).toEqual([
              fromMemory.allowed,
              fromMemory.remaining,
            ]);
            // Plus 1 ms: Redis rounds up to whole ms (and the old value's fraction).
            expect(Math.abs(fromRedis.retryAfterMs - fromMemory.retryAfterMs)).toBeLessThanOrEqual(
              windowMs + 1.001,
            );
            expect(Math.abs(fromRedis.resetMs - fromMemory.resetMs)).toBeLessThanOrEqual(windowMs + 1.001);
          }
          const value = await client.get(keyOf(p, 'k'));
          // Moved to µs by the first write that changed the TAT; still the old value when none did.
          if (value !== null && Number(value) >= 1e14) expect(Number(value) / 1000).toBeGreaterThan(1e12);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('an old-format value that a later consume rewrites becomes integer µs and is updated in place from then on', async () => {
    const p = `${prefix}-c`;
    const rule = { intervalMs: 1000, burst: 10 };
    await writeOldFormat(keyOf(p, 'k'), rule, 4);
    const store = createRedisRateLimitStore({ client, prefix: p });
    expect((await store.consume('k', rule, 1)).remaining).toBe(5);
    expect(await client.get(keyOf(p, 'k'))).toMatch(/^[0-9]{16}$/);
    expect((await store.consume('k', rule, 2)).remaining).toBe(3);
    expect(await client.object('ENCODING', keyOf(p, 'k'))).toBe('int');
  });
});
