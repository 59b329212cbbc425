import {
  createRateLimiter,
  createRefreshTokenRotator,
  createWebhookVerifier,
  type RequestLike,
} from '@bulwark/core';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisRateLimitStore,
  createRedisRefreshTokenStore,
  createRedisReplayStore,
  REDIS_CLIENT_OPTIONS,
} from '../src/index.js';
import { runPrefix } from './redis-url.js';
import { type OwnRedis, startRedis } from './servers.js';

// The rules on top of the Redis stores, on a server of our own that we stop and stall: each rule answers
// within its timeout with the outcome it chose (rate limit open or closed; the others closed), and works
// again by itself once Redis is back. A stall is the server stopped until the test continues it
// (redis.freeze/thaw), not a timed CLIENT PAUSE: a test process descheduled past a 500 ms pause (a loaded
// machine) sent its call after the pause had ended, and the call succeeded where it had to time out.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = runPrefix('faults-rules');
let redis: OwnRedis;
let client: Redis;

const request = (headers: Record<string, string> = {}, rawBody?: Uint8Array): RequestLike => ({
  method: 'POST',
  url: '/hook',
  header: (name) => headers[name],
  remoteAddress: '203.0.113.9',
  rawBody,
});

async function eventually<T>(call: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await call();
  for (let i = 0; i < 100 && !ok(value); i++) {
    await sleep(50);
    value = await call();
  }
  return value;
}

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { ...REDIS_CLIENT_OPTIONS, lazyConnect: true, retryStrategy: () => 50 });
  client.on('error', () => undefined);
  await client.connect();
});
afterAll(async () => {
  client?.disconnect();
  await redis?.destroy();
});

function limiters() {
  const store = createRedisRateLimitStore({ client, prefix, timeoutMs: 1_000 });
  const common = { rate: '1000/min', store, storeTimeoutMs: 150 } as const;
  return {
    open: createRateLimiter({ ...common, name: 'open', failMode: 'open' }),
    closed: createRateLimiter({ ...common, name: 'closed', failMode: 'closed' }),
  };
}

describe('rate limiter on Redis', () => {
  it('fails open or closed as configured while Redis is stalled, then limits again', async () => {
    const { open, closed } = limiters();
    expect((await open.check(request())).ok).toBe(true);
    await redis.freeze();
    const [o, c] = await Promise.all([open.check(request()), closed.check(request())]).finally(() =>
      redis.thaw(),
    );
    expect(o.ok).toBe(true);
    expect(c.ok ? undefined : [c.error?.code, c.error?.status]).toEqual(['RATELIMIT_STORE_UNAVAILABLE', 503]);
    const back = await eventually(
      () => closed.check(request()),
      (v) => v.ok,
    );
    expect(back.ok && back.value.buckets[0]?.result.remaining).toBeLessThan(1000);
  });

  it('fails open or closed as configured while Redis is down, then limits again', async () => {
    const { open, closed } = limiters();
    await redis.stop();
    const [o, c] = await Promise.all([open.check(request()), closed.check(request())]);
    expect(o.ok).toBe(true);
    expect(c.ok ? undefined : c.error?.code).toBe('RATELIMIT_STORE_UNAVAILABLE');
    await redis.start();
    expect(
      (
        await eventually(
          () => closed.check(request()),
          (v) => v.ok,
        )
      ).ok,
    ).toBe(true);
  });
});

describe('webhooks on Redis', () => {
  it('refuses a delivery while Redis is down (fail closed) and processes the retry once it is back', async () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const verifier = createWebhookVerifier({
      scheme: 'standard',
      secrets: [secret],
      replayStore: createRedisReplayStore({ client, prefix, timeoutMs: 200 }),
    });
    const id = `msg_${Date.now()}`;
    const payload = JSON.stringify({ type: 'order.paid' });
    const now = new Date();
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, now, payload),
    };
    const delivery = () => verifier.check(request(headers), new TextEncoder().encode(payload));

    await redis.stop();
    const refused = await delivery();
    expect(refused.ok ? undefined : [refused.error?.code, refused.error?.status]).toEqual([
      'WEBHOOK_STORE_UNAVAILABLE',
      503,
    ]);
    await redis.start();
    const retry = await eventually(delivery, (v) => v.ok);
    let processed = 0;
    if (!retry.ok) throw new Error('retry was refused');
    await retry.value.run(() => {
      processed += 1;
    });
    // Processed once: the next copy is answered by the verifier (200, duplicate) and never reaches a handler.
    const again = await delivery();
    expect(!again.ok && again.error === undefined && again.reply.status === 200).toBe(true);
    expect(!again.ok && again.reply.body).toBe('{"received":true,"duplicate":true}');
    expect(processed).toBe(1);
  });
});

describe('refresh rotation on Redis', () => {
  const token = (v: { ok: boolean; value?: { token: string } }) => (v.ok ? v.value?.token : undefined);
  const code = (v: { ok: boolean; error?: { code: string } | undefined }) =>
    v.ok ? undefined : v.error?.code;

  it('a rotation stalled past the timeout still lands; the retry gets the same successor instead of a logout', async () => {
    const rotator = createRefreshTokenRotator({
      store: createRedisRefreshTokenStore({ client, prefix, timeoutMs: 150 }),
    });
    const issued = await rotator.issue('user-1', 'web');
    await redis.freeze();
    const stalled = await rotator.rotate(issued.token, 'web').finally(() => redis.thaw());
    expect(code(stalled)).toBe('OAUTH_STORE_UNAVAILABLE');
    // The stalled rotation lands (before the retry: one connection, in order); the client, told 503,
    // retries with the token it still has.
    const retry = await rotator.rotate(issued.token, 'web');
    expect(retry.ok).toBe(true);
    const again = await rotator.rotate(issued.token, 'web');
    expect(token(again)).toBe(token(retry));
    // The successor works, and from then on the old token is reuse again.
    const next = await rotator.rotate(token(retry), 'web');
    expect(next.ok).toBe(true);
    expect(code(await rotator.rotate(issued.token, 'web'))).toBe('OAUTH_REFRESH_REUSED');
  });

  it('a retry queued behind the stalled rotation gets the successor that rotation created', async () => {
    const impatient = createRefreshTokenRotator({
      store: createRedisRefreshTokenStore({ client, prefix, timeoutMs: 150 }),
    });
    const patient = createRefreshTokenRotator({
      store: createRedisRefreshTokenStore({ client, prefix, timeoutMs: 30_000 }),
    });
    const issued = await impatient.issue('user-2', 'web');
    await redis.freeze();
    let retrying: ReturnType<typeof patient.rotate> | undefined;
    try {
      expect(code(await impatient.rotate(issued.token, 'web'))).toBe('OAUTH_STORE_UNAVAILABLE');
      // Sent while Redis is still stalled: it runs right after the first rotation, on the same connection.
      retrying = patient.rotate(issued.token, 'web');
    } finally {
      redis.thaw();
    }
    const retry = await retrying!;
    expect(retry.ok).toBe(true);
    expect((await patient.rotate(token(retry), 'web')).ok).toBe(true);
  });

  it('with graceMs 0 (strict) the same retry is reuse and revokes the family, as documented', async () => {
    const rotator = createRefreshTokenRotator({
      store: createRedisRefreshTokenStore({ client, prefix, timeoutMs: 150 }),
      graceMs: 0,
    });
    const issued = await rotator.issue('user-3', 'web');
    await redis.freeze();
    const stalled = await rotator.rotate(issued.token, 'web').finally(() => redis.thaw());
    expect(code(stalled)).toBe('OAUTH_STORE_UNAVAILABLE');
    expect(code(await rotator.rotate(issued.token, 'web'))).toBe('OAUTH_REFRESH_REUSED');
  });
});
