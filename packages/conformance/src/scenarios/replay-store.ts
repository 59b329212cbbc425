import type { ClaimResult, ReplayStore } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { realClock, type StoreClock, uniqueKey } from './store-ids.js';

function tokenOf(result: ClaimResult): string {
  if (result.outcome !== 'claimed') throw new Error(`expected a claim, got '${result.outcome}'`);
  return result.token;
}

// Time-dependent checks are one-sided so a stalled scheduler cannot flip them on a real clock: "still
// there" uses a lifetime of a minute, "gone" waits well past a short one (a stall only makes it more gone).
const LIVE = 60_000;
const SHORT = 40;
const PAST_SHORT = 150;

/** Claim `key` again until a lapsed claim lets a new one through. */
async function claimAfterLapse(store: ReplayStore, key: string, clock: StoreClock): Promise<ClaimResult> {
  for (let i = 0; i < 100; i++) {
    const result = await store.claim(key, LIVE);
    if (result.outcome === 'claimed') return result;
    await clock.sleep(SHORT);
  }
  throw new Error(`the claim on ${key} never lapsed`);
}

/**
 * The ReplayStore contract (webhook replay, idempotency, OAuth state single use).
 *
 * @example
 * replayStoreScenarios('memory', () => createMemoryReplayStore());
 */
export function replayStoreScenarios(
  name: string,
  make: () => ReplayStore | Promise<ReplayStore>,
  clock: StoreClock = realClock,
): void {
  describe(`ReplayStore contract: ${name}`, () => {
    it('claims a key once, then reports it processing, then done after complete', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      const first = await store.claim(key, LIVE);
      expect(first.outcome).toBe('claimed');
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'processing' });
      expect(await store.complete(key, tokenOf(first), LIVE)).toBe(true);
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'done' });
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'done' });
    });

    it('lets a released claim be claimed again (a failed handler must be retryable)', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      const first = await store.claim(key, LIVE);
      expect(await store.release(key, tokenOf(first))).toBe(true);
      const second = await store.claim(key, LIVE);
      expect(second.outcome).toBe('claimed');
      expect(tokenOf(second)).not.toBe(tokenOf(first));
    });

    it('gives exactly one of many concurrent claims', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.claim(key, LIVE)));
      expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o.outcome === 'processing')).toHaveLength(49);
    });

    it('expires a claim after its ttl so an abandoned claim is re-processable', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      expect((await store.claim(key, SHORT)).outcome).toBe('claimed');
      await clock.sleep(PAST_SHORT);
      expect((await store.claim(key, LIVE)).outcome).toBe('claimed');
    });

    it('keeps a completed key for the ttl given to complete, not the claim', async () => {
      const store = await make();
      const outlives = uniqueKey('evt');
      const forgotten = uniqueKey('evt');
      const a = await store.claim(outlives, SHORT);
      const b = await store.claim(forgotten, LIVE);
      expect(await store.complete(outlives, tokenOf(a), LIVE)).toBe(true);
      expect(await store.complete(forgotten, tokenOf(b), SHORT)).toBe(true);
      await clock.sleep(PAST_SHORT);
      expect(await store.claim(outlives, LIVE)).toEqual({ outcome: 'done' });
      expect((await store.claim(forgotten, LIVE)).outcome).toBe('claimed');
    });

    it("a holder that outlived its claim and then fails cannot delete the retry's done marker", async () => {
      // The finding: A claims, its handler outlives the claim, the sender's retry B claims and completes,
      // then A fails and releases. Unfenced, that release deleted "done" and the next retry ran a third time.
      const store = await make();
      const key = uniqueKey('evt');
      const a = await store.claim(key, SHORT);
      const b = await claimAfterLapse(store, key, clock);
      expect(tokenOf(b)).not.toBe(tokenOf(a));
      expect(await store.complete(key, tokenOf(b), LIVE)).toBe(true);
      expect(await store.release(key, tokenOf(a))).toBe(false);
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'done' });
      expect(await store.complete(key, tokenOf(a), LIVE)).toBe(false);
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'done' });
    });

    it("a holder that outlived its claim can neither release nor complete over the retry's live claim", async () => {
      const store = await make();
      const key = uniqueKey('evt');
      const a = await store.claim(key, SHORT);
      const b = await claimAfterLapse(store, key, clock);
      expect(await store.release(key, tokenOf(a))).toBe(false);
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'processing' });
      expect(await store.complete(key, tokenOf(a), LIVE)).toBe(false);
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'processing' });
      // the live holder still settles its own claim
      expect(await store.release(key, tokenOf(b))).toBe(true);
      expect((await store.claim(key, LIVE)).outcome).toBe('claimed');
    });

    it('records done for a lapsed claim nobody took over (the work did finish)', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      const a = await store.claim(key, SHORT);
      await clock.sleep(PAST_SHORT);
      expect(await store.complete(key, tokenOf(a), LIVE)).toBe(true);
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'done' });
    });

    it('refuses a token that never claimed the key, and a release of a finished claim', async () => {
      const store = await make();
      const key = uniqueKey('evt');
      const other = uniqueKey('evt');
      const a = await store.claim(key, LIVE);
      const foreign = await store.claim(other, LIVE);
      expect(await store.release(key, tokenOf(foreign))).toBe(false);
      expect(await store.release(key, '')).toBe(false);
      expect(await store.complete(key, tokenOf(foreign), LIVE)).toBe(false);
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'processing' });
      expect(await store.complete(key, tokenOf(a), LIVE)).toBe(true);
      expect(await store.release(key, tokenOf(a))).toBe(false);
      expect(await store.claim(key, LIVE)).toEqual({ outcome: 'done' });
    });

    it('keeps keys that differ only after braces apart', async () => {
      const store = await make();
      const base = uniqueKey('evt');
      expect((await store.claim(`${base}{a}`, LIVE)).outcome).toBe('claimed');
      expect((await store.claim(`${base}{b}`, LIVE)).outcome).toBe('claimed');
      expect((await store.claim(`${base}}{`, LIVE)).outcome).toBe('claimed');
      expect(await store.claim(`${base}{a}`, LIVE)).toEqual({ outcome: 'processing' });
    });
  });
}
