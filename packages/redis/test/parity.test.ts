import {
  type BucketRule,
  type ConsumeResult,
  createMemoryRateLimitStore,
  createMemoryRefreshTokenStore,
  type RefreshTokenStore,
} from '@bulwark/core';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimitStore, createRedisRefreshTokenStore } from '../src/index.js';
import { connect, runPrefix } from './redis-url.js';

// The Lua GCRA against core's gcra() (through the memory store): the same random sequence of consume and
// consumeAll calls must give the same decisions and counts. Intervals are a minute or more, so the time that
// passes between calls cannot change a count. Times: the memory store's clock is the Redis server's TIME
// read just before each call, so the two differ by no more than the longest such read-call-read window
// (Redis runs the script between the two reads) plus Redis's rounding up to whole ms. A fixed 250 ms
// tolerance over two clocks failed whenever this process was descheduled between the Redis call and the
// memory call on a loaded machine.
const prefix = runPrefix('parity');
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

const rule: fc.Arbitrary<BucketRule> = fc.record({
  intervalMs: fc.constantFrom(60_000, 90_000, 60_000 / 7),
  burst: fc.integer({ min: 1, max: 5 }),
});
const entry = fc.record({
  key: fc.constantFrom('a', 'b', 'c{x}'),
  rule,
  cost: fc.integer({ min: 0, max: 4 }),
});
const call = fc.array(entry, { minLength: 1, maxLength: 3 });

/** The server clock in ms, with the µs fraction. */
async function serverNowMs(): Promise<number> {
  const [s, us] = await client.time();
  return Number(s) * 1000 + Number(us) / 1000;
}

/**
 * Same decisions and counts; times within `windowMs`, the longest window between the TIME read that set the
 * memory store's clock and the one after the Redis call (every TAT of either store was set at most that far
 * apart), plus 1 ms for Redis's rounding up and float noise.
 */
function same(redis: readonly ConsumeResult[], memory: readonly ConsumeResult[], windowMs: number): void {
  expect(redis.map((r) => [r.allowed, r.remaining])).toEqual(memory.map((r) => [r.allowed, r.remaining]));
  for (let i = 0; i < redis.length; i++) {
    expect(Math.abs(redis[i]!.retryAfterMs - memory[i]!.retryAfterMs)).toBeLessThanOrEqual(windowMs + 1.001);
    expect(Math.abs(redis[i]!.resetMs - memory[i]!.resetMs)).toBeLessThanOrEqual(windowMs + 1.001);
  }
}

describe('Redis GCRA script vs core gcra()', () => {
  it('decides and counts exactly like the memory store for random call sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) => {
        run += 1;
        const redis = createRedisRateLimitStore({ client, prefix: `${prefix}-${run}` });
        const clock = { ms: 0 };
        const memory = createMemoryRateLimitStore({ now: () => clock.ms });
        let windowMs = 0;
        for (const entries of calls) {
          const single = entries.length === 1 ? entries[0]! : undefined;
          const before = await serverNowMs();
          const fromRedis = single
            ? [await redis.consume(single.key, single.rule, single.cost)]
            : await redis.consumeAll!(entries);
          windowMs = Math.max(windowMs, (await serverNowMs()) - before);
          clock.ms = before;
          const fromMemory = single
            ? [await memory.consume(single.key, single.rule, single.cost)]
            : await memory.consumeAll(entries);
          same(fromRedis, fromMemory, windowMs);
        }
      }),
      { numRuns: 60 },
    );
  });
});

type RefreshOp =
  | { op: 'create'; family: string; token: string; client: string }
  | { op: 'rotate'; family: string; presented: string; next: string; client: string; graceMs: number }
  | { op: 'revokeFamily'; family: string };

const family = fc.constantFrom('f1', 'f2');
const token = fc.constantFrom('t1', 't2', 't3', 't4', 't5', 't6');
const clientId = fc.constantFrom('web', 'web', 'web', 'other');
const refreshOp: fc.Arbitrary<RefreshOp> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), family, token, client: clientId }),
  fc.record({
    op: fc.constant('rotate' as const),
    family,
    presented: token,
    next: token,
    client: clientId,
    graceMs: fc.constantFrom(0, 30_000),
  }),
  fc.record({
    op: fc.constant('rotate' as const),
    family,
    presented: token,
    next: token,
    client: fc.constant('web'),
    graceMs: fc.constant(30_000),
  }),
  fc.record({ op: fc.constant('revokeFamily' as const), family }),
);

function apply(store: RefreshTokenStore, op: RefreshOp): Promise<unknown> {
  switch (op.op) {
    case 'create':
      return store.create({
        familyId: op.family,
        subject: `subject-${op.family}`,
        clientId: op.client,
        tokenHash: op.token,
        ttlMs: 600_000,
      });
    case 'rotate':
      return store.rotate({
        familyId: op.family,
        clientId: op.client,
        presentedHash: op.presented,
        nextHash: op.next,
        sealedNext: `sealed-${op.next}`,
        graceMs: op.graceMs,
      });
    case 'revokeFamily':
      return store.revokeFamily(op.family);
  }
}

describe('Redis refresh script vs the memory refresh store', () => {
  it('answers every create/rotate/revoke sequence identically', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(refreshOp, { minLength: 1, maxLength: 25 }), async (ops) => {
        run += 1;
        const redis = createRedisRefreshTokenStore({ client, prefix: `${prefix}-${run}` });
        const memory = createMemoryRefreshTokenStore();
        for (const op of ops) expect(await apply(redis, op)).toEqual(await apply(memory, op));
      }),
      { numRuns: 80 },
    );
  });
});
