import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisRateLimitStore,
  createRedisRefreshTokenStore,
  createRedisReplayStore,
  createRedisRevocationStore,
  isRedisStoreError,
  REDIS_CLIENT_OPTIONS,
} from '../src/index.js';
import { runPrefix } from './redis-url.js';
import { type OwnRedis, startRedis } from './servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = runPrefix('faults');
const TIMEOUT_MS = 200;
const rule = { intervalMs: 60_000, burst: 1_000 };

// A server of our own: these tests stop, stall and flush it, which must never happen to the shared one.
let redis: OwnRedis;
let client: Redis;
let admin: Redis;

async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    expect(isRedisStoreError(err)).toBe(true);
    return (err as { code: string }).code;
  }
  throw new Error('expected the call to fail');
}

/** Retry until `call` succeeds, bounded in attempts: the store must recover without help. */
async function eventually<T>(call: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    try {
      return await call();
    } catch (err) {
      last = err;
      await sleep(50);
    }
  }
  throw last;
}

async function stats(): Promise<{ evalsha: number; eval: number }> {
  const info = await admin.info('commandstats');
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return { evalsha: calls('evalsha'), eval: calls('eval') };
}

beforeAll(async () => {
  redis = await startRedis();
  // Reconnect quickly and forever: recovery is the client's job, the stores just keep working once it is back.
  client = new Redis(redis.url, { ...REDIS_CLIENT_OPTIONS, lazyConnect: true, retryStrategy: () => 50 });
  client.on('error', () => undefined);
  await client.connect();
  admin = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 50 });
  admin.on('error', () => undefined);
  await admin.connect();
});
afterAll(async () => {
  client?.disconnect();
  admin?.disconnect();
  await redis?.destroy();
});

describe('SCRIPT FLUSH between calls', () => {
  it('reloads the script transparently and then goes back to EVALSHA', async () => {
    const store = createRedisRateLimitStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const key = `flush-${Date.now()}`;
    await store.consume(key, rule, 1);
    await admin.config('RESETSTAT');
    await admin.script('FLUSH');
    expect(await store.consume(key, rule, 1)).toMatchObject({ allowed: true, remaining: 998 });
    expect(await stats()).toEqual({ evalsha: 1, eval: 1 }); // EVALSHA refused with NOSCRIPT, then EVAL
    expect(await store.consume(key, rule, 1)).toMatchObject({ allowed: true, remaining: 997 });
    expect(await stats()).toEqual({ evalsha: 2, eval: 1 }); // one round trip again
  });
});

// A stall is the server stopped (SIGSTOP) until the test continues it, never a timed CLIENT PAUSE: with a
// pause of a fixed length, a test process descheduled for longer (a loaded machine) sent its call after
// the pause had ended, or saw a timeout settle after it, and failed.
describe('stalled Redis (server stopped until continued)', () => {
  it('fails within the timeout with REDIS_TIMEOUT, then recovers by itself', async () => {
    const store = createRedisRateLimitStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const key = `stall-${Date.now()}`;
    await store.consume(key, rule, 1);
    await redis.freeze();
    try {
      expect(await failure(store.consume(key, rule, 1))).toBe('REDIS_TIMEOUT');
    } finally {
      redis.thaw();
    }
    const after = await eventually(() => store.consume(key, rule, 1));
    expect(after.allowed).toBe(true);
  });

  it('times out each of several stalled calls at its own deadline (one timer serves them all)', async () => {
    const store = createRedisRateLimitStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const key = `stall-many-${Date.now()}`;
    await store.consume(key, rule, 1);
    await redis.freeze();
    try {
      const settledAfter = (call: Promise<unknown>, sentAt: number) =>
        failure(call).then((code) => [code, performance.now() - sentAt] as const);
      const first = performance.now();
      const early = [0, 1, 2].map(() => settledAfter(store.consume(key, rule, 1), first));
      await sleep(120);
      const second = performance.now();
      const late = [0, 1].map(() => settledAfter(store.consume(key, rule, 1), second));
      // All settled while the server is still stopped: by their timers, not by an answer.
      for (const [code, ms] of await Promise.all([...early, ...late])) {
        expect(code).toBe('REDIS_TIMEOUT');
        // Not before its own deadline (the late calls not at the early calls' one).
        expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
      }
    } finally {
      redis.thaw();
    }
    expect((await eventually(() => store.consume(key, rule, 1))).allowed).toBe(true);
  });

  it('releases a claim that landed after its timeout, so the retried delivery is processed', async () => {
    const store = createRedisReplayStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const key = `evt-stall-${Date.now()}`;
    await redis.freeze();
    try {
      expect(await failure(store.claim(key, 60_000))).toBe('REDIS_TIMEOUT');
    } finally {
      redis.thaw();
    }
    // The stalled claim runs once the server continues (before this PING: one connection, in order); the
    // store then releases it.
    await client.ping();
    await eventually(async () => {
      if ((await admin.exists(`${prefix}:rp:{${key}}`)) !== 0) throw new Error('claim not released yet');
    });
    expect((await store.claim(key, 60_000)).outcome).toBe('claimed');
  });
});

describe('Redis stopped mid-run and restarted', () => {
  it('fails fast with a typed error while down (no offline queue) and resumes by itself', async () => {
    const limits = createRedisRateLimitStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const replay = createRedisReplayStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const refresh = createRedisRefreshTokenStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const key = `down-${Date.now()}`;
    expect((await limits.consume(key, rule, 1)).allowed).toBe(true);
    const rotation = {
      familyId: `fam-${key}`,
      clientId: 'web',
      presentedHash: `h1-${key}`,
      nextHash: `h2-${key}`,
      sealedNext: 'sealed',
      graceMs: 0,
    };
    await refresh.create({
      familyId: `fam-${key}`,
      subject: 'user-1',
      clientId: 'web',
      tokenHash: `h1-${key}`,
      ttlMs: 60_000,
    });

    await redis.stop();
    const codes = await Promise.all([
      failure(limits.consume(key, rule, 1)),
      failure(replay.claim(key, 60_000)),
      failure(refresh.rotate(rotation)),
    ]);
    for (const code of codes) expect(['REDIS_UNAVAILABLE', 'REDIS_TIMEOUT']).toContain(code);

    await redis.start();
    // Same client, same store objects; the restarted server has an empty script cache (NOSCRIPT path).
    expect((await eventually(() => limits.consume(key, rule, 1))).allowed).toBe(true);
    expect((await eventually(() => replay.claim(key, 60_000))).outcome).toBe('claimed');
    // Without persistence the family is gone: the refresh token is refused (unknown), never accepted.
    expect(await eventually(() => refresh.rotate(rotation))).toEqual({
      status: 'unknown',
    });
  });
});

describe('Redis full (maxmemory with noeviction)', () => {
  it('refuses writes with REDIS_UNAVAILABLE instead of evicting, and works again once there is room', async () => {
    const replay = createRedisReplayStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const revocations = createRedisRevocationStore({ client, prefix, timeoutMs: TIMEOUT_MS });
    const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
    await admin.set(`${prefix}:filler`, 'x'.repeat(2_000_000));
    await admin.config('SET', 'maxmemory', String(used + 1_000_000));
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    try {
      const key = `full-${Date.now()}`;
      expect(await failure(replay.claim(key, 60_000))).toBe('REDIS_UNAVAILABLE');
      expect(await failure(revocations.revoke(key, Date.now() + 60_000))).toBe('REDIS_UNAVAILABLE');
      // Reads still answer: nothing was evicted to make room.
      expect(await admin.exists(`${prefix}:filler`)).toBe(1);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      await admin.del(`${prefix}:filler`);
    }
    expect((await replay.claim(`after-full-${Date.now()}`, 60_000)).outcome).toBe('claimed');
  });
});
