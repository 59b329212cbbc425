import { getHeapSnapshot } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../bytes/index.js';
import { encodeBase64Url } from '../encoding/base64url.js';
import type { RequestLike } from '../http/request.js';
import { createMemoryRateLimitStore } from '../stores/memory-ratelimit.js';
import type { BucketRule, ConsumeResult, RateLimitStore } from '../stores/types.js';
import { createRateLimiter } from './limiter.js';
import { hashKeyPart, KEY_CACHE_MAX, StoreKeys } from './store-keys.js';

const req = (path = '/orders', headers: Record<string, string> = {}): RequestLike => ({
  method: 'GET',
  url: path,
  header: (n) => headers[n],
  remoteAddress: '203.0.113.7',
});

/** A store that records the keys it is asked for and always allows. */
function recording(): { store: RateLimitStore; keys: string[] } {
  const keys: string[] = [];
  const ok: ConsumeResult = { allowed: true, remaining: 1, resetMs: 0, retryAfterMs: 0 };
  return {
    keys,
    store: {
      consume: async (key: string, _rule: BucketRule, _cost: number) => {
        keys.push(key);
        return ok;
      },
    },
  };
}

describe('keyed buckets: store keys', () => {
  it('are the strings stores already hold (subject, API key, function, tier, route), request after request', async () => {
    const { store, keys } = recording();
    const longRoute = `/${'r'.repeat(80)}`;
    const limiter = createRateLimiter({
      name: 'api',
      store,
      buckets: [
        { name: 'user', key: 'subject', rate: '100/min' },
        { name: 'key', key: 'apiKey', rate: '100/min' },
        { name: 'fn', key: (r) => r.header('x-tenant'), rate: '100/min' },
        {
          name: 'plan',
          key: 'subject',
          tier: () => 'pro',
          tiers: { free: { rate: '1/min' }, pro: { rate: '9/min' } },
        },
        { name: 'route', key: 'ip', rate: '100/min', perRoute: true },
        { name: 'long', key: 'subject', rate: '100/min', perRoute: true },
      ],
    });
    const expected = (route: string) => [
      `api|user|${hashKeyPart('alice')}`,
      `api|key|${hashKeyPart('k-123')}`,
      `api|fn|${hashKeyPart('acme')}`,
      `api|plan-pro|${hashKeyPart('alice')}`,
      `api|route|${route.length <= 64 ? route : hashKeyPart(route)}|203.0.113.7`,
      `api|long|${route.length <= 64 ? route : hashKeyPart(route)}|${hashKeyPart('alice')}`,
    ];
    for (const route of ['/orders/:id', longRoute, '/orders/:id']) {
      keys.length = 0;
      const v = await limiter.check(req('/x', { 'x-tenant': 'acme' }), {
        subject: 'alice',
        apiKey: 'k-123',
        route,
      });
      expect(v.ok).toBe(true);
      expect(keys).toEqual(expected(route));
    }
  });

  it('keep clients apart past the bound, and a client seen before the bound keeps its bucket', async () => {
    let t = 1_000_000;
    const limiter = createRateLimiter({
      store: createMemoryRateLimitStore({ now: () => t }),
      now: () => t,
      buckets: [{ name: 'user', key: 'subject', rate: '2/hour' }],
    });
    const first = await limiter.check(req(), { subject: 'first' });
    expect(first.ok).toBe(true);
    for (let i = 0; i <= KEY_CACHE_MAX; i++) {
      const v = await limiter.check(req(), { subject: `user-${i}` });
      expect(v.ok).toBe(true);
    }
    t += 1;
    expect((await limiter.check(req(), { subject: 'first' })).ok).toBe(true);
    expect((await limiter.check(req(), { subject: 'first' })).ok).toBe(false);
    expect((await limiter.check(req(), { subject: `user-${KEY_CACHE_MAX}` })).ok).toBe(true);
  });

  it('StoreKeys gives equal keys before and after it empties itself at the bound', () => {
    const keys = new StoreKeys();
    const a = keys.storeKey('p', keys.identity('subject', 'alice'));
    for (let i = 0; i < KEY_CACHE_MAX; i++) keys.storeKey('p', String(i));
    expect(keys.storeKey('p', keys.identity('subject', 'alice'))).toBe(a);
    expect(keys.routePrefix('p', '/a')).toBe('p|/a');
    expect(keys.identity('secret', 'k')).toBe(hashKeyPart('k'));
  });
});

describe('hashKeyPart', () => {
  it('is the base64url of the first 16 bytes of SHA-256, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(hashKeyPart(text)).toBe(encodeBase64Url(sha256(text).subarray(0, 16)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('keyed buckets keep no credential text', () => {
  it('leaves no API key and no key-function value in the heap once the check is done', async () => {
    // Each secret in two halves of its own: the snapshot holds each half, and holds them joined only where
    // something keeps the secret.
    const halves = (tag: string) => [
      `${tag}-${'a'.repeat(20)}`.split('').join(''),
      `${'b'.repeat(20)}-end`.split('').join(''),
    ];
    const api = halves('apikey');
    const fromFn = halves('session');
    const limiter = createRateLimiter({
      buckets: [
        { name: 'key', key: 'apiKey', rate: '100/min' },
        { name: 'fn', key: (r) => r.header('x-session'), rate: '100/min' },
      ],
    });
    let headers: Record<string, string> | undefined = { 'x-session': fromFn.join('') };
    let context: { apiKey: string } | undefined = { apiKey: api.join('') };
    expect((await limiter.check(req('/x', headers), context)).ok).toBe(true);
    headers = undefined;
    context = undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
    const snapshot = Buffer.concat(chunks).toString('latin1');
    expect(snapshot.includes(api[0]!)).toBe(true);
    expect(snapshot.includes(api.join(''))).toBe(false);
    expect(snapshot.includes(fromFn.join(''))).toBe(false);
    // The limiter is still in use (its caches are live when the snapshot is taken).
    expect((await limiter.check(req('/x', { 'x-session': 's' }), { apiKey: 'k' })).ok).toBe(true);
  }, 60_000);
});
