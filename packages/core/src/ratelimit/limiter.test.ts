import type { HeaderList } from '../verdict.js';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import { type ClientIpResolver, createClientIpResolver } from '../http/client-ip.js';
import type { RequestLike } from '../http/request.js';
import { EVENTS } from '../observe/reporter.js';
import type { RateLimitStore } from '../stores/types.js';
import { createMemoryRateLimitStore } from '../stores/memory-ratelimit.js';
import { createRateLimiter, type RateLimiterOptions, synchronousCheck } from './limiter.js';

const fields = (headers: HeaderList): Record<string, string> => Object.fromEntries(headers);

function req(remoteAddress: string | undefined, headers: Record<string, string> = {}): RequestLike {
  return { method: 'GET', url: '/orders?token=secret', header: (n) => headers[n], remoteAddress };
}

const configError = (options: unknown): boolean => {
  try {
    createRateLimiter(options as RateLimiterOptions);
    return false;
  } catch (e) {
    return isConfigError(e);
  }
};

describe('createRateLimiter', () => {
  it('answers 429 with Retry-After, draft-10 fields and a problem body once the limit is reached', async () => {
    const events: SecurityEvent[] = [];
    const limiter = createRateLimiter({ rate: '2/min', now: () => 0, onEvent: (e) => events.push(e) });
    const first = await limiter.check(req('203.0.113.1'));
    expect(first.ok && fields(first.headers)).toEqual({
      'ratelimit-policy': '"ip";q=2;w=60',
      ratelimit: '"ip";r=1;t=30',
    });
    await limiter.check(req('203.0.113.1'));
    const third = await limiter.check(req('203.0.113.1'));
    expect(third.ok).toBe(false);
    if (third.ok) return;
    expect(third.error?.code).toBe('RATELIMIT_EXCEEDED');
    expect(third.error?.status).toBe(429);
    // t is when one more request is admitted (draft-10 §4.1.2), so it agrees with Retry-After (draft §6);
    // it was the 60 s until the bucket is full, telling a client to wait twice as long as needed.
    expect(third.error?.headers).toEqual([
      ['ratelimit-policy', '"ip";q=2;w=60'],
      ['ratelimit', '"ip";r=0;t=30'],
      ['retry-after', '30'],
    ]);
    const problem = third.reply;
    expect(Object.fromEntries(problem.headers)['content-type']).toBe('application/problem+json');
    expect(JSON.parse(problem.body!)).toMatchObject({ status: 429, code: 'RATELIMIT_EXCEEDED' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'ratelimit.limited',
      path: '/orders',
      data: { clientIp: '203.0.113.1' },
    });
    // another client is unaffected
    expect((await limiter.check(req('203.0.113.2'))).ok).toBe(true);
  });

  it('says whether it decides the same before authentication (IP buckets only, no tier or cost function)', () => {
    expect(createRateLimiter({ rate: '10/min' }).beforeAuthentication).toBe(true);
    expect(
      createRateLimiter({
        buckets: [
          { name: 'ip', rate: '10/min' },
          { name: 'ip2', rate: '100/h', perRoute: true },
        ],
      }).beforeAuthentication,
    ).toBe(true);
    for (const options of [
      {
        buckets: [
          { name: 'ip', rate: '10/min' },
          { name: 'user', key: 'subject' as const, rate: '10/min' },
        ],
      },
      { buckets: [{ name: 'key', key: 'apiKey' as const, rate: '10/min' }] },
      { buckets: [{ name: 'tenant', key: () => 't', rate: '10/min' }] },
      { rate: '10/min', cost: () => 2 },
      {
        buckets: [
          { name: 'ip', tiers: { free: { rate: '10/min' }, pro: { rate: '100/min' } }, tier: () => 'pro' },
        ],
      },
    ]) {
      expect(createRateLimiter(options as RateLimiterOptions).beforeAuthentication).toBe(false);
    }
  });

  it('sends legacy X-RateLimit-* of the tightest bucket when asked', async () => {
    const limiter = createRateLimiter({
      now: () => 0,
      legacyHeaders: true,
      buckets: [
        { name: 'ip', rate: '10/min' },
        { name: 'burst', rate: '2/s' },
      ],
    });
    const v = await limiter.check(req('203.0.113.1'));
    expect(v.ok && fields(v.headers)).toMatchObject({
      'ratelimit-policy': '"ip";q=10;w=60, "burst";q=2;w=1',
      ratelimit: '"ip";r=9;t=6, "burst";r=1;t=1',
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-reset': '1',
    });
  });

  it('writes X-RateLimit-Reset as Unix time in seconds with reset: epoch-seconds, the same instant as the delta', async () => {
    let now = 1_700_000_000_400;
    const options = { now: () => now, rate: '2/min' as const };
    const epoch = createRateLimiter({ ...options, legacyHeaders: { reset: 'epoch-seconds' } });
    const delta = createRateLimiter({ ...options, legacyHeaders: { reset: 'delta-seconds' } });
    const headersOf = async (limiter: typeof epoch) => {
      const v = await limiter.check(req('203.0.113.1'));
      return fields(v.ok ? v.headers : v.reply.headers);
    };
    const first = [await headersOf(epoch), await headersOf(delta)] as const;
    expect(first[0]['x-ratelimit-reset']).toBe(String(1_700_000_001 + 30));
    expect(first[1]['x-ratelimit-reset']).toBe('30');
    await headersOf(epoch);
    await headersOf(delta);
    now += 2_000;
    const [refusedEpoch, refusedDelta] = [await headersOf(epoch), await headersOf(delta)];
    expect(refusedEpoch['retry-after']).toBe(refusedDelta['retry-after']);
    const reset = Number(refusedEpoch['x-ratelimit-reset']);
    expect(reset).toBe(Math.ceil(now / 1000) + Number(refusedDelta['x-ratelimit-reset']));
    // At the announced second the bucket admits the next request, one second earlier it did not.
    now = (reset - 1) * 1000;
    expect((await epoch.check(req('203.0.113.1'))).ok).toBe(false);
    now = reset * 1000;
    expect((await epoch.check(req('203.0.113.1'))).ok).toBe(true);
  });

  it('refuses an unknown reset format', () => {
    for (const legacyHeaders of [{ reset: 'epoch' }, { rest: 'delta-seconds' }, 'yes']) {
      expect(() => createRateLimiter({ rate: '2/min', legacyHeaders: legacyHeaders as never })).toThrow(
        /ratelimit\.legacyHeaders/,
      );
    }
  });

  it('XFF cycling from an untrusted peer does not reset the bucket', async () => {
    const limiter = createRateLimiter({ rate: '3/min', now: () => 0, clientIp: { onEvent: () => {} } });
    let admitted = 0;
    for (let i = 0; i < 20; i++) {
      const v = await limiter.check(req('198.51.100.7', { 'x-forwarded-for': `10.0.0.${i}` }));
      if (v.ok) admitted++;
    }
    expect(admitted).toBe(3);
  });

  it('IPv6 addresses in one /64 share a bucket', async () => {
    const limiter = createRateLimiter({ rate: '2/min', now: () => 0 });
    expect((await limiter.check(req('2001:db8:1:2::1'))).ok).toBe(true);
    expect((await limiter.check(req('2001:db8:1:2:ffff::9'))).ok).toBe(true);
    expect((await limiter.check(req('2001:db8:1:2:1234:5678:9abc:def0'))).ok).toBe(false);
    expect((await limiter.check(req('2001:db8:1:3::1'))).ok).toBe(true);
  });

  it('enforces per-IP and per-token buckets together, and a denial consumes neither', async () => {
    const limiter = createRateLimiter({
      now: () => 0,
      buckets: [
        { name: 'ip', rate: '3/min' },
        { name: 'user', key: 'subject', rate: '2/min' },
      ],
    });
    const alice = { subject: 'alice' };
    expect((await limiter.check(req('203.0.113.1'), alice)).ok).toBe(true);
    expect((await limiter.check(req('203.0.113.1'), alice)).ok).toBe(true);
    const denied = await limiter.check(req('203.0.113.1'), alice);
    expect(!denied.ok && fields(denied.reply.headers).ratelimit).toBe('"ip";r=1;t=20, "user";r=0;t=30');
    // alice from a new IP is still limited by her token bucket
    expect((await limiter.check(req('203.0.113.99'), alice)).ok).toBe(false);
    // the IP bucket was not charged by the denials: one request left for someone else there
    expect((await limiter.check(req('203.0.113.1'), { subject: 'bob' })).ok).toBe(true);
    expect((await limiter.check(req('203.0.113.1'), { subject: 'carol' })).ok).toBe(false);
    // anonymous requests skip the subject bucket
    const anon = await limiter.check(req('203.0.113.50'));
    expect(anon.ok && anon.value.buckets.map((b) => b.name)).toEqual(['ip']);
  });

  it('counts a request another rule refused only in the buckets that need no verified identity', async () => {
    const limiter = createRateLimiter({
      now: () => 0,
      buckets: [
        { name: 'ip', rate: '2/min' },
        { name: 'user', key: 'subject', rate: '5/min' },
        { name: 'route', rate: '3/min', perRoute: true },
      ],
    });
    const first = await limiter.countRefused(req('203.0.113.7'), '/orders');
    expect(first.ok && first.value.buckets.map((b) => b.name)).toEqual(['ip', 'route']);
    expect(first.ok && fields(first.headers).ratelimit).toMatch(/^"ip";r=1;t=\d+, "route";r=2;t=\d+$/);
    // Without a route only the IP bucket applies; the second refusal spends it.
    const second = await limiter.countRefused(req('203.0.113.7'));
    expect(second.ok && second.value.buckets.map((b) => b.name)).toEqual(['ip']);
    // The refused requests spent the client's IP quota: a verified request from there is refused too.
    const verified = await limiter.check(req('203.0.113.7'), { subject: 'alice', route: '/orders' });
    expect(verified.ok).toBe(false);
    expect(!verified.ok && verified.error?.code).toMatch(/^RATE/);
    // and so is the next refusal, answered 429 instead of the rule's own refusal
    const third = await limiter.countRefused(req('203.0.113.7'), '/orders');
    expect(!third.ok && third.reply.status).toBe(429);
  });

  it('takes the subject from the verified claims when the adapter passes only claims', async () => {
    const limiter = createRateLimiter({
      now: () => 0,
      buckets: [{ name: 'user', key: 'subject', rate: '1/min' }],
    });
    expect((await limiter.check(req('203.0.113.1'), { claims: { sub: 'alice' } })).ok).toBe(true);
    // Same subject from another IP: the same bucket.
    expect((await limiter.check(req('203.0.113.2'), { claims: { sub: 'alice' } })).ok).toBe(false);
    // A non-string sub is no subject (the bucket does not apply), never a shared key.
    const odd = await limiter.check(req('203.0.113.3'), { claims: { sub: 42 } });
    expect(odd.ok && odd.value.buckets).toEqual([]);
  });

  it('chooses a tier per request and keys API keys by hash', async () => {
    const seen: string[] = [];
    const store: RateLimitStore = {
      async consume() {
        throw new Error('unused');
      },
      async consumeAll(entries) {
        seen.push(...entries.map((e) => e.key));
        return entries.map(() => ({ allowed: true, remaining: 1, retryAfterMs: 0, resetMs: 1 }));
      },
    };
    const limiter = createRateLimiter({
      name: 'api',
      store,
      buckets: [
        {
          name: 'plan',
          key: 'apiKey',
          tiers: { free: { rate: '10/min' }, pro: { rate: '1000/min', burst: 50 } },
          tier: (_r, ctx) => ctx.claims?.plan as string | undefined,
        },
        { name: 'route', rate: '5/s', perRoute: true },
      ],
    });
    const v = await limiter.check(req('203.0.113.1'), {
      apiKey: 'sk_live_abcdef',
      claims: { plan: 'pro' },
      route: '/orders/:id',
    });
    expect(v.ok && fields(v.headers)['ratelimit-policy']).toBe('"plan-pro";q=1000;w=60, "route";q=5;w=1');
    expect(seen[0]).toMatch(/^api\|plan-pro\|[A-Za-z0-9_-]{22}$/);
    expect(seen.join()).not.toContain('sk_live');
    expect(seen[1]).toBe('api|route|/orders/:id|203.0.113.1');
    await limiter.check(req('203.0.113.1'), { apiKey: 'k2', claims: { plan: 'unknown' } });
    expect(seen[2]).toMatch(/^api\|plan-free\|/);
    expect(seen).toHaveLength(3); // no route in context: the per-route bucket did not apply
  });

  it('charges a dynamic cost, capping it at the burst so an expensive request is never refused forever', async () => {
    let now = 0;
    const limiter = createRateLimiter({
      rate: '10/min',
      now: () => now,
      cost: (r) => (r.method === 'POST' ? 4 : r.method === 'PUT' ? 50 : 1),
    });
    const post = { ...req('203.0.113.1'), method: 'POST' };
    const put = { ...req('203.0.113.2'), method: 'PUT' };
    expect((await limiter.check(post)).ok && true).toBe(true);
    expect((await limiter.check(post)).ok && true).toBe(true);
    const third = await limiter.check(post);
    // Two units left, the next one back in 6 s; the request needs four, so Retry-After is later than t.
    expect(!third.ok && fields(third.reply.headers).ratelimit).toBe('"ip";r=2;t=6');
    expect(!third.ok && fields(third.reply.headers)['retry-after']).toBe('12');
    expect((await limiter.check(put)).ok).toBe(true); // takes the whole bucket
    expect((await limiter.check(req('203.0.113.2'))).ok).toBe(false);
    now = 60_000;
    expect((await limiter.check(put)).ok).toBe(true);
  });

  it('reports once when a perRoute bucket cannot apply because the route is unknown', async () => {
    const events: SecurityEvent[] = [];
    const limiter = createRateLimiter({
      buckets: [{ name: 'route', rate: '1/min', perRoute: true }],
      onEvent: (e) => events.push(e),
    });
    await limiter.check(req('203.0.113.1'));
    await limiter.check(req('203.0.113.1'));
    expect(events.map((e) => e.type)).toEqual(['ratelimit.route_unknown']);
    expect((await limiter.check(req('203.0.113.1'), { route: '/a' })).ok).toBe(true);
    expect((await limiter.check(req('203.0.113.1'), { route: '/a' })).ok).toBe(false);
    expect((await limiter.check(req('203.0.113.1'), { route: '/b' })).ok).toBe(true);
  });

  it('admits exactly the limit out of 1,000 concurrent requests on one key', async () => {
    const limiter = createRateLimiter({ rate: '100/hour' });
    const verdicts = await Promise.all(Array.from({ length: 1000 }, () => limiter.check(req('203.0.113.1'))));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(100);
  });

  it('fails open by default, visibly: degraded names the error it would have answered', async () => {
    const events: SecurityEvent[] = [];
    const broken: RateLimitStore = {
      consume: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const limiter = createRateLimiter({ rate: '1/min', store: broken, onEvent: (e) => events.push(e) });
    const v = await limiter.check(req('203.0.113.1'));
    expect(v.ok).toBe(true);
    expect(v.ok && v.degraded?.code).toBe('RATELIMIT_STORE_UNAVAILABLE');
    expect(v.ok && v.value.buckets).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'ratelimit.store_error', data: { failMode: 'open' } });
    // A working store leaves degraded unset.
    const healthy = await createRateLimiter({ rate: '1/min' }).check(req('203.0.113.1'));
    expect(healthy.ok && healthy.degraded).toBeUndefined();
  });

  it('fails closed with 503 when asked, including when the store hangs past the timeout', async () => {
    const events: SecurityEvent[] = [];
    const hanging: RateLimitStore = { consume: () => new Promise(() => {}) };
    const limiter = createRateLimiter({
      rate: '1/min',
      store: hanging,
      failMode: 'closed',
      storeTimeoutMs: 20,
      onEvent: (e) => events.push(e),
    });
    const v = await limiter.check(req('203.0.113.1'));
    expect(!v.ok && v.error?.code).toBe('RATELIMIT_STORE_UNAVAILABLE');
    expect(!v.ok && v.error?.status).toBe(503);
    expect(events[0]!.detail).toContain('20 ms');
  });

  it('refuses every request without a client address (500) instead of counting them in one bucket', async () => {
    const events: SecurityEvent[] = [];
    const limiter = createRateLimiter({ rate: '1/min', now: () => 0, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 3; i++) {
      const v = await limiter.check(req(undefined));
      expect(!v.ok && v.error?.code).toBe('RATELIMIT_CLIENT_IP_UNKNOWN');
      expect(!v.ok && v.error?.status).toBe(500);
    }
    // Clients with an address are untouched by those refusals.
    expect((await limiter.check(req('203.0.113.1'))).ok).toBe(true);
    expect((await limiter.check(req('203.0.113.2'))).ok).toBe(true);
    // Said once, naming what to configure; no query string in the event.
    const said = events.filter((e) => e.type === 'ratelimit.client_ip_unknown');
    expect(said).toHaveLength(1);
    expect(said[0]!.code).toBe('RATELIMIT_CLIENT_IP_UNKNOWN');
    expect(said[0]!.detail).toContain("clientIp: { platform: 'cloudflare'");
    expect(said[0]!.path).toBe('/orders');
  });

  it('without onEvent, the refusal is explained on console.error once', async () => {
    const lines: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => lines.push(args.join(' '));
    try {
      const limiter = createRateLimiter({ rate: '5/min', now: () => 0 });
      await limiter.check(req(undefined));
      await limiter.check(req(undefined));
    } finally {
      console.error = original;
    }
    expect(lines).toHaveLength(1);
    expect(String(lines[0])).toMatch(/^bulwark: ratelimit 'rl': the request has no client address/);
  });

  it('a request with no IP bucket to fill needs no address', async () => {
    const limiter = createRateLimiter({ buckets: [{ name: 'user', key: 'subject', rate: '1/min' }] });
    expect((await limiter.check(req(undefined), { subject: 'alice' })).ok).toBe(true);
    expect((await limiter.check(req(undefined), { subject: 'alice' })).ok).toBe(false);
  });

  it('with a named platform, the edge header is the client and a request without it is refused', async () => {
    const limiter = createRateLimiter({ rate: '1/min', now: () => 0, clientIp: { platform: 'cloudflare' } });
    const at = (ip: string | undefined, peer?: string) =>
      limiter.check(req(peer, ip === undefined ? {} : { 'cf-connecting-ip': ip }));
    expect((await at('203.0.113.1')).ok).toBe(true);
    expect((await at('203.0.113.2')).ok).toBe(true);
    expect((await at('203.0.113.1')).ok).toBe(false);
    // The socket peer (a platform proxy, or none) never stands in for the client.
    const missing = await at(undefined, '10.0.0.1');
    expect(!missing.ok && missing.error?.code).toBe('RATELIMIT_CLIENT_IP_UNKNOWN');
    const junk = await at('not-an-ip', '10.0.0.1');
    expect(!junk.ok && junk.error?.code).toBe('RATELIMIT_CLIENT_IP_UNKNOWN');
  });

  it('on Cloudflare Workers, refuses at construction a per-IP limiter without the platform named', () => {
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: 'Cloudflare-Workers' },
      configurable: true,
    });
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(() => createRateLimiter({ rate: '10/min' })).toThrow(
        /^ratelimit\.clientIp\.platform: .*platform: 'cloudflare'/s,
      );
      expect(() =>
        createRateLimiter({ rate: '10/min', clientIp: { trustedProxies: ['10.0.0.0/8'] } }),
      ).toThrow(/^ratelimit\.clientIp\.platform: /);
      // Named: fine. Per-user buckets only: no address needed, fine.
      expect(
        createRateLimiter({ rate: '10/min', clientIp: { platform: 'cloudflare' } }).clientIp.platform,
      ).toBe('cloudflare');
      createRateLimiter({ buckets: [{ name: 'user', key: 'subject', rate: '10/min' }] });
    } finally {
      console.warn = warn;
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  it('refuses zero, negative, NaN and malformed limits at construction', () => {
    for (const rate of [
      '0/min',
      '-1/min',
      'NaN/min',
      '1.5/min',
      '10/0min',
      '10/fortnight',
      '10',
      '',
      'constructor',
    ]) {
      expect(configError({ rate }), rate).toBe(true);
    }
    for (const rate of [
      { limit: 0, windowMs: 1000 },
      { limit: Number.NaN, windowMs: 1000 },
      { limit: 10, windowMs: 0 },
      { limit: 10, windowMs: Number.POSITIVE_INFINITY },
      { limit: -5, windowMs: 1000 },
    ]) {
      expect(configError({ rate }), JSON.stringify(rate)).toBe(true);
    }
    expect(configError({})).toBe(true);
    expect(configError({ rate: '10/min', burst: 0 })).toBe(true);
    expect(configError({ rate: '10/min', burst: Number.NaN })).toBe(true);
    expect(configError({ rate: '10/min', cost: 0 })).toBe(true);
    expect(configError({ rate: '10/min', cost: 11 })).toBe(true);
    expect(configError({ rate: '10/min', failMode: 'maybe' })).toBe(true);
    expect(configError({ rate: '10/min', storeTimeoutMs: 0 })).toBe(true);
    expect(configError({ rate: '10/min', name: 'has space' })).toBe(true);
    expect(configError({ rate: '10/min', clientIp: { trustedProxies: true } })).toBe(true);
    expect(configError({ buckets: [] })).toBe(true);
    expect(
      configError({
        buckets: [
          { name: 'a', rate: '1/s' },
          { name: 'a', rate: '1/s' },
        ],
      }),
    ).toBe(true);
    expect(configError({ buckets: [{ name: 'a', rate: '1/s', key: 'header' }] })).toBe(true);
    // a tier's store key and policy name (`user-pro`) must not coincide with another bucket's
    expect(
      configError({
        buckets: [
          { name: 'user', key: 'subject', tiers: { pro: { rate: '1000/min' } }, tier: () => 'pro' },
          { name: 'user-pro', key: 'subject', rate: '1/min' },
        ],
      }),
    ).toBe(true);
    expect(configError({ buckets: [{ name: 'a', tiers: { x: { rate: '1/s' } } }] })).toBe(true);
    expect(configError({ rate: '10/min', buckets: [{ name: 'a', rate: '1/s' }] })).toBe(true);
    // readable forms that are accepted
    for (const rate of ['100/min', '10/s', '1000/15min', '5000/h', '10000/day', '5/ms', '3 / 2 hours']) {
      expect(configError({ rate }), rate).toBe(false);
    }
  });
});

describe('client address, with a resolver built here and with one supplied from elsewhere', () => {
  // A resolver object of the app's own (only the interface): the limiter falls back to resolve + bucketOf.
  const foreign = (): ClientIpResolver => {
    const inner = createClientIpResolver();
    return {
      [EVENTS]: inner[EVENTS],
      resolve: (r) => inner.resolve(r),
      key: (r) => inner.key(r),
      bucketOf: (a) => inner.bucketOf(a),
      isTrustedPeer: (a) => inner.isTrustedPeer(a),
      trustedProxies: inner.trustedProxies,
      platform: undefined,
    };
  };
  for (const [label, clientIp] of [
    ['built', () => createClientIpResolver()],
    ['supplied', foreign],
  ] as const) {
    it(`${label}: canonical address in the info, IPv6 clients of one /64 share a bucket, unknown refused`, async () => {
      const limiter = createRateLimiter({
        rate: '2/min',
        now: () => 0,
        clientIp: clientIp(),
        onEvent: () => {},
      });
      const a = await limiter.check(req('2001:DB8:1:2::a'));
      expect(a.ok && a.value.clientIp).toBe('2001:db8:1:2::a');
      expect(a.ok && fields(a.headers).ratelimit).toBe('"ip";r=1;t=30');
      const b = await limiter.check(req('2001:db8:1:2:ffff::1'));
      expect(b.ok && fields(b.headers).ratelimit).toBe('"ip";r=0;t=30');
      const c = await limiter.check(req('2001:db8:1:2::b'));
      expect(!c.ok && c.error?.code).toBe('RATELIMIT_EXCEEDED');
      const v4 = await limiter.check(req('::ffff:198.51.100.7'));
      expect(v4.ok && v4.value.clientIp).toBe('198.51.100.7');
      expect(v4.ok && fields(v4.headers).ratelimit).toBe('"ip";r=1;t=30');
      const unknown = await limiter.check(req(undefined));
      expect(!unknown.ok && unknown.error?.code).toBe('RATELIMIT_CLIENT_IP_UNKNOWN');
    });
  }
});

describe('client buckets and store keys remembered per peer and per client, never a proxy answer', () => {
  const limited = (v: { ok: boolean; error?: { code: string } | undefined }): boolean =>
    !v.ok && v.error?.code === 'RATELIMIT_EXCEEDED';

  it('a trusted proxy peer is resolved from each request’s own forwarded header', async () => {
    const limiter = createRateLimiter({
      rate: '1/min',
      now: () => 0,
      clientIp: { trustedProxies: ['10.0.0.0/8'] },
      onEvent: () => {},
    });
    const via = (client: string) => req('10.0.0.1', { 'x-forwarded-for': client });
    const a = await limiter.check(via('203.0.113.1'));
    expect(a.ok && a.value.clientIp).toBe('203.0.113.1');
    const b = await limiter.check(via('203.0.113.2'));
    expect(b.ok && b.value.clientIp).toBe('203.0.113.2');
    expect(limited(await limiter.check(via('203.0.113.1')))).toBe(true);
    expect(limited(await limiter.check(via('203.0.113.2')))).toBe(true);
    // The proxy itself, without a forwarded header, is a client of its own.
    const own = await limiter.check(req('10.0.0.1'));
    expect(own.ok && own.value.clientIp).toBe('10.0.0.1');
    // An untrusted peer is the client whatever it forwards, request after request.
    const c = await limiter.check(req('198.51.100.9', { 'x-forwarded-for': '203.0.113.3' }));
    expect(c.ok && c.value.clientIp).toBe('198.51.100.9');
    expect(limited(await limiter.check(req('198.51.100.9', { 'x-forwarded-for': '203.0.113.4' })))).toBe(
      true,
    );
  });

  it('still warns once about forwarded headers from a peer already seen without them', async () => {
    for (const sync of [false, true]) {
      const events: SecurityEvent[] = [];
      const limiter = createRateLimiter({
        rate: '100/min',
        now: () => 0,
        clientIp: createClientIpResolver({ onEvent: (e) => events.push(e) }),
      });
      const check = sync ? synchronousCheck(limiter)! : limiter.check;
      await check(req('203.0.113.7'));
      expect(events).toEqual([]);
      await check(req('203.0.113.7', { 'x-forwarded-for': '1.1.1.1' }));
      await check(req('203.0.113.7', { 'x-forwarded-for': '1.1.1.1' }));
      expect(events.map((e) => e.type)).toEqual(['client_ip.forwarded_ignored']);
    }
  });

  it('keeps every client apart past the point where the remembered peers and keys are emptied', async () => {
    for (const sync of [false, true]) {
      const limiter = createRateLimiter({ rate: '1/min', now: () => 0, onEvent: () => {} });
      const check = sync ? synchronousCheck(limiter)! : limiter.check;
      const peer = (i: number) => `198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      for (let i = 0; i < 10_050; i++) expect((await check(req(peer(i)))).ok).toBe(true);
      for (const i of [0, 1, 9_999, 10_000, 10_049]) expect(limited(await check(req(peer(i))))).toBe(true);
    }
  });

  it('two IP buckets and two limiters sharing a store count in keys of their own', async () => {
    const store = createMemoryRateLimitStore({ now: () => 0 });
    const two = createRateLimiter({
      name: 'a',
      store,
      buckets: [
        { name: 'burst', rate: '2/min' },
        { name: 'ip', rate: '3/min' },
      ],
    });
    const other = createRateLimiter({ name: 'b', store, rate: '1/min' });
    const r = req('203.0.113.5');
    const first = await two.check(r);
    const remaining = (v: Awaited<ReturnType<typeof two.check>>) =>
      v.ok ? fields(v.headers).ratelimit!.replace(/;t=\d+/g, '') : v.error?.code;
    expect(remaining(first)).toBe('"burst";r=1, "ip";r=2');
    expect((await other.check(r)).ok).toBe(true);
    expect(limited(await other.check(r))).toBe(true);
    const second = await two.check(r);
    expect(remaining(second)).toBe('"burst";r=0, "ip";r=1');
    expect(limited(await two.check(r))).toBe(true);
  });
});
