import type { ReplayStore } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { sleep, uniqueKey } from './store-ids.js';

/**
 * The ReplayStore contract (webhook replay, idempotency, OAuth state single use).
 *
 * @example
 * replayStoreScenarios('memory', () => createMemoryReplayStore());
 */
export function replayStoreScenarios(name: string, make: () => ReplayStore | Promise<ReplayStore>): void {
  describe(`ReplayStore contract: ${name}`, () => {
    it('claims a key once, then reports it processing, then done after complete', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      expect(await store.claim(key, 60_000)).toBe('claimed');
      expect(await store.claim(key, 60_000)).toBe('processing');
      await store.complete(key, 60_000);
      expect(await store.claim(key, 60_000)).toBe('done');
      expect(await store.claim(key, 60_000)).toBe('done');
    });

    it('lets a released claim be claimed again (a failed handler must be retryable)', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      expect(await store.claim(key, 60_000)).toBe('claimed');
      await store.release(key);
      expect(await store.claim(key, 60_000)).toBe('claimed');
    });

    it('gives exactly one of many concurrent claims', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.claim(key, 60_000)));
      expect(outcomes.filter((o) => o === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'processing')).toHaveLength(49);
    });

    it('expires a claim after its ttl so an abandoned claim is re-processable', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      expect(await store.claim(key, 40)).toBe('claimed');
      await sleep(120);
      expect(await store.claim(key, 60_000)).toBe('claimed');
    });

    it('keeps a completed key for the ttl given to complete, then forgets it', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      await store.claim(key, 60_000);
      await store.complete(key, 40);
      expect(await store.claim(key, 60_000)).toBe('done');
      await sleep(120);
      expect(await store.claim(key, 60_000)).toBe('claimed');
    });

    it('keeps keys that differ only after braces apart', async () => {
      const store = await make();
      const base = uniqueKey('evt');
      expect(await store.claim(`${base}{a}`, 60_000)).toBe('claimed');
      expect(await store.claim(`${base}{b}`, 60_000)).toBe('claimed');
      expect(await store.claim(`${base}}{`, 60_000)).toBe('claimed');
      expect(await store.claim(`${base}{a}`, 60_000)).toBe('processing');
    });
  });
}
