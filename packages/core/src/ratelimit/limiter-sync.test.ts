import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createMemoryRateLimitStore } from '../stores/memory-ratelimit.js';
import type { RateLimitStore } from '../stores/types.js';
import type { Verdict } from '../verdict.js';
import type { RateLimitContext } from './buckets.js';
import {
  createRateLimiter,
  type RateLimiterOptions,
  type RateLimitInfo,
  synchronousCheck,
} from './limiter.js';

function req(remoteAddress: string | undefined, headers: Record<string, string> = {}): RequestLike {
  return { method: 'GET', url: '/orders', header: (n) => headers[n], remoteAddress };
}

/** The memory store seen through its promise interface only, as a network store is. */
function asyncOnly(store: RateLimitStore): RateLimitStore {
  return {
    consume: (key, rule, cost) => store.consume(key, rule, cost),
    consumeAll: (entries) => store.consumeAll!(entries),
  };
}

type Step = { req: RequestLike; context?: RateLimitContext; advanceMs?: number };

/**
 * Run the same requests through a limiter on the memory store (decided synchronously) and one on the same
 * store behind promises (the async path network stores take); the verdicts and events must be identical.
 */
async function sameDecisions(
  options: RateLimiterOptions,
  steps: readonly Step[],
): Promise<Verdict<RateLimitInfo>[]> {
  let t = 1_000_000;
  const now = () => t;
  const syncEvents: SecurityEvent[] = [];
  const asyncEvents: SecurityEvent[] = [];
  const onSync = createRateLimiter({ ...options, now, onEvent: (e) => syncEvents.push(e) });
  const onAsync = createRateLimiter({
    ...options,
    now,
    onEvent: (e) => asyncEvents.push(e),
    store: asyncOnly(createMemoryRateLimitStore({ now })),
  });
  const decide = synchronousCheck(onSync);
  expect(decide).toBeTypeOf('function');
  expect(synchronousCheck(onAsync)).toBeUndefined();
  const verdicts: Verdict<RateLimitInfo>[] = [];
  for (const step of steps) {
    t += step.advanceMs ?? 0;
    const a = decide!(step.req, step.context);
    const b = await onAsync.check(step.req, step.context);
    // The promise form on the memory store decides the same as well.
    expect(a).toEqual(b);
    verdicts.push(a);
  }
  expect(syncEvents).toEqual(asyncEvents);
  return verdicts;
}

describe('synchronousCheck: the memory store decided without a promise, as check decides', () => {
  it('one per-IP bucket: the countdown, the 429 with its headers and body, the refill', async () => {
    const client = req('203.0.113.7');
    const verdicts = await sameDecisions({ rate: '3/min', legacyHeaders: true }, [
      { req: client },
      { req: client },
      { req: client },
      { req: client },
      { req: client, advanceMs: 5_000 },
      { req: client, advanceMs: 20_000 },
      { req: req('203.0.113.8') },
    ]);
    expect(verdicts.map((v) => (v.ok ? 200 : v.reply.status))).toEqual([200, 200, 200, 429, 429, 200, 200]);
    const limited = verdicts[3]!;
    expect(!limited.ok && Object.fromEntries(limited.reply.headers)).toMatchObject({
      'retry-after': '20',
      ratelimit: '"ip";r=0;t=20',
      'x-ratelimit-remaining': '0',
    });
  });

  it('per-IP and per-subject buckets, cost functions, tiers and routes', async () => {
    const options: RateLimiterOptions = {
      buckets: [
        { name: 'ip', rate: '5/min' },
        {
          name: 'user',
          key: 'subject',
          tiers: { free: { rate: '2/min' }, pro: { rate: '4/min' } },
          tier: (_r, c) => c.claims?.tier as string | undefined,
        },
        { name: 'route', key: 'subject', rate: '3/min', perRoute: true },
      ],
      cost: (r) => (r.header('x-cost') === undefined ? 1 : Number(r.header('x-cost'))),
    };
    const a = { subject: 'alice', claims: { tier: 'free' }, route: '/orders' };
    const b = { subject: 'bob', claims: { tier: 'pro' } };
    const verdicts = await sameDecisions(options, [
      { req: req('203.0.113.1'), context: a },
      { req: req('203.0.113.1'), context: a },
      { req: req('203.0.113.1'), context: a },
      { req: req('203.0.113.1', { 'x-cost': '2' }), context: b },
      { req: req('203.0.113.1', { 'x-cost': '3' }), context: b },
      { req: req('203.0.113.2') },
    ]);
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, false, true, false, true]);
  });

  it('refuses a request without a client address, once reported', async () => {
    const verdicts = await sameDecisions({ rate: '3/min' }, [
      { req: req(undefined) },
      { req: req(undefined) },
    ]);
    expect(verdicts.map((v) => !v.ok && v.error?.code)).toEqual([
      'RATELIMIT_CLIENT_IP_UNKNOWN',
      'RATELIMIT_CLIENT_IP_UNKNOWN',
    ]);
  });

  it('a fixed cost and a burst: the scratch entry charges as the planned one does', async () => {
    const client = req('2001:db8::1');
    const verdicts = await sameDecisions({ rate: '10/min', burst: 4, cost: 3 }, [
      { req: client },
      { req: req('2001:db8::2') },
      { req: client, advanceMs: 6_000 },
      { req: client, advanceMs: 12_000 },
    ]);
    expect(verdicts.map((v) => v.ok)).toEqual([true, false, false, true]);
  });
});
