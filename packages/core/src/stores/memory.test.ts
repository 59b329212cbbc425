import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';
import { createMemoryReplayStore, createMemoryRevocationStore, StoreFullError } from './memory.js';
import type { ClaimResult } from './types.js';

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

  it('spares a read entry once (second chance), then evicts it if it is not read again', () => {
    const c = clock();
    const m = new BoundedMap<string, number>(3, c.now);
    m.set('a', 1, c.now() + 1000);
    m.set('b', 2, c.now() + 1000);
    m.set('c', 3, c.now() + 1000);
    expect(m.get('a')).toBe(1);
    m.set('d', 4, c.now() + 1000); // a spared (moved to the new end, unmarked), b evicted
    expect([m.get('b'), m.size]).toEqual([undefined, 3]);
    m.set('e', 5, c.now() + 1000); // c evicted
    m.set('f', 6, c.now() + 1000); // a, not read since it was spared, evicted
    expect(m.get('a')).toBeUndefined();
    m.set('g', 7, c.now() + 1000); // d evicted
    expect([m.get('c'), m.get('d')]).toEqual([undefined, undefined]);
    expect([m.get('e'), m.get('f'), m.get('g')]).toEqual([5, 6, 7]);
  });

  it('stays bounded when every entry is read between insertions', () => {
    const m = new BoundedMap<number, number>(100);
    for (let i = 0; i < 5000; i++) {
      m.set(i, i, Number.POSITIVE_INFINITY);
      for (let j = Math.max(0, i - 99); j <= i; j++) m.get(j);
      expect(m.size).toBeLessThanOrEqual(100);
    }
    expect(m.get(4999)).toBe(4999);
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
    const first = await store.claim('evt', 1000);
    expect(first.outcome).toBe('claimed');
    expect(await store.claim('evt', 1000)).toEqual({ outcome: 'processing' });
    expect(await store.release('evt', tokenOf(first))).toBe(true);
    const second = await store.claim('evt', 1000);
    expect(second.outcome).toBe('claimed');
    expect(await store.complete('evt', tokenOf(second), 5000)).toBe(true);
    expect(await store.claim('evt', 1000)).toEqual({ outcome: 'done' });
    c.advance(5000);
    expect((await store.claim('evt', 1000)).outcome).toBe('claimed');
  });

  it('gives every claim its own token', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ now: c.now });
    const a = await store.claim('evt', 1000);
    c.advance(1000);
    const b = await store.claim('evt', 1000);
    const other = await store.claim('other', 1000);
    expect(new Set([tokenOf(a), tokenOf(b), tokenOf(other)]).size).toBe(3);
  });

  it('a holder whose claim lapsed cannot release or complete over the next holder', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ now: c.now });
    const late = await store.claim('evt', 1000);
    c.advance(1000);
    const retry = await store.claim('evt', 1000);
    expect(await store.complete('evt', tokenOf(late), 5000)).toBe(false);
    expect(await store.release('evt', tokenOf(late))).toBe(false);
    expect(await store.claim('evt', 1000)).toEqual({ outcome: 'processing' });
    expect(await store.complete('evt', tokenOf(retry), 5000)).toBe(true);
    expect(await store.release('evt', tokenOf(late))).toBe(false);
    expect(await store.release('evt', tokenOf(retry))).toBe(false);
    expect(await store.claim('evt', 1000)).toEqual({ outcome: 'done' });
  });

  it('records done for a lapsed claim nobody took over (the work finished)', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ now: c.now });
    const late = await store.claim('evt', 1000);
    c.advance(1000);
    expect(await store.complete('evt', tokenOf(late), 5000)).toBe(true);
    expect(await store.claim('evt', 1000)).toEqual({ outcome: 'done' });
  });

  it('is atomic for concurrent claims', async () => {
    const store = createMemoryReplayStore();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claim('same', 1000)));
    expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
  });

  it('fails closed instead of forgetting a live claim', async () => {
    const store = createMemoryReplayStore({ maxEntries: 2 });
    await store.claim('a', 60_000);
    await store.claim('b', 60_000);
    await expect(store.claim('c', 60_000)).rejects.toBeInstanceOf(StoreFullError);
    expect(await store.claim('a', 60_000)).toEqual({ outcome: 'processing' });
  });
});

function tokenOf(result: ClaimResult): string {
  if (result.outcome !== 'claimed') throw new Error(`expected a claim, got ${result.outcome}`);
  return result.token;
}

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
