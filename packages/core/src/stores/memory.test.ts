import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';
import { createMemoryReplayStore, createMemoryRevocationStore, StoreFullError } from './memory.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('BoundedMap', () => {
  it('expires entries lazily and evicts the least recently used at the bound', () => {
    const c = clock();
    const m = new BoundedMap<string, number>(2, c.now);
    m.set('a', 1, c.now() + 100);
    m.set('b', 2, c.now() + 100);
    expect(m.get('a')).toBe(1); // a is now the most recently used
    m.set('c', 3, c.now() + 100);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    c.advance(100);
    expect(m.get('a')).toBeUndefined();
    expect(m.size).toBe(1);
  });

  it('without live eviction, refuses a new key when full of live entries but reuses expired room', () => {
    const c = clock();
    const m = new BoundedMap<string, number>(2, c.now, false);
    expect(m.set('a', 1, c.now() + 100)).toBe(true);
    expect(m.set('b', 2, c.now() + 200)).toBe(true);
    expect(m.set('c', 3, c.now() + 100)).toBe(false);
    expect(m.get('a')).toBe(1);
    c.advance(150);
    expect(m.set('c', 3, c.now() + 100)).toBe(true);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const m = new BoundedMap<number, number>(1000);
    for (let i = 0; i < 50_000; i++) m.set(i, i, Number.POSITIVE_INFINITY);
    expect(m.size).toBe(1000);
  });
});

describe('memory replay store', () => {
  it('claims once, reports processing then done, and releases for a retry', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ now: c.now });
    expect(await store.claim('evt', 1000)).toBe('claimed');
    expect(await store.claim('evt', 1000)).toBe('processing');
    await store.release('evt');
    expect(await store.claim('evt', 1000)).toBe('claimed');
    await store.complete('evt', 5000);
    expect(await store.claim('evt', 1000)).toBe('done');
    c.advance(5000);
    expect(await store.claim('evt', 1000)).toBe('claimed');
  });

  it('is atomic for concurrent claims', async () => {
    const store = createMemoryReplayStore();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claim('same', 1000)));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
  });

  it('fails closed instead of forgetting a live claim', async () => {
    const store = createMemoryReplayStore({ maxEntries: 2 });
    await store.claim('a', 60_000);
    await store.claim('b', 60_000);
    await expect(store.claim('c', 60_000)).rejects.toBeInstanceOf(StoreFullError);
    expect(await store.claim('a', 60_000)).toBe('processing');
  });
});

describe('memory revocation store', () => {
  it('revokes until the token would expire, then forgets', async () => {
    const c = clock();
    const store = createMemoryRevocationStore({ now: c.now });
    await store.revoke('jti-1', c.now() + 1000);
    expect(await store.isRevoked('jti-1')).toBe(true);
    expect(await store.isRevoked('jti-2')).toBe(false);
    c.advance(1000);
    expect(await store.isRevoked('jti-1')).toBe(false);
  });

  it('ignores revocations of already-expired tokens and never un-revokes a live entry when full', async () => {
    const c = clock();
    const store = createMemoryRevocationStore({ now: c.now, maxEntries: 1 });
    await store.revoke('old', c.now() - 1);
    expect(await store.isRevoked('old')).toBe(false);
    await store.revoke('a', c.now() + 1000);
    await expect(store.revoke('b', c.now() + 1000)).rejects.toBeInstanceOf(StoreFullError);
    expect(await store.isRevoked('a')).toBe(true);
  });
});
