import { gcra } from '../ratelimit/gcra.js';
import type { BucketRule, ConsumeResult, RateLimitStore } from './types.js';
import { memoryStoreOptions } from './memory.js';

/**
 * One generation of keys: key → slot in a growable Float64Array of theoretical arrival times. Times are
 * doubles (epoch ms); held in the array they need no heap box per key, and an update is an array store.
 */
class Generation {
  private readonly slots = new Map<string, number>();
  tats = new Float64Array(256);

  get size(): number {
    return this.slots.size;
  }

  slot(key: string): number | undefined {
    return this.slots.get(key);
  }

  get(key: string): number | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.tats[slot];
  }

  /** Entries whose arrival time is still ahead of `now` (buckets not yet full again), furthest ahead first. */
  live(now: number, max: number): [string, number][] {
    const out: [string, number][] = [];
    for (const [key, slot] of this.slots) {
      const tat = this.tats[slot]!;
      if (tat > now) out.push([key, tat]);
    }
    if (out.length > max) out.sort((a, b) => b[1] - a[1]).length = max;
    return out;
  }

  set(key: string, tat: number): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot === this.tats.length) {
        const grown = new Float64Array(slot * 2);
        grown.set(this.tats);
        this.tats = grown;
      }
      this.slots.set(key, slot);
    }
    this.tats[slot] = tat;
  }
}

/** Options of {@link createMemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** Most keys held at once (default 100 000). Beyond it the least recently active half is dropped. */
  maxEntries?: number;
  /** Clock in epoch ms, for tests. */
  now?: () => number;
}

/** Marks our own store so the limiter can skip the timeout race it needs for network stores. */
export const SYNC_STORE: unique symbol = Symbol.for('bulwark.syncRateLimitStore');

/** The memory store also answers synchronously; the limiter uses that to avoid a promise per bucket. */
export interface MemoryRateLimitStore extends RateLimitStore {
  readonly [SYNC_STORE]: true;
  consumeAll(
    entries: readonly { key: string; rule: BucketRule; cost: number }[],
  ): Promise<readonly ConsumeResult[]>;
  /** Same as `consumeAll`, synchronously. */
  consumeAllSync(entries: readonly { key: string; rule: BucketRule; cost: number }[]): ConsumeResult[];
  /** Keys currently held (both generations). */
  readonly size: number;
}

/**
 * In-process GCRA store: one number (the theoretical arrival time) per key, no timer. Memory is bounded by
 * two generations of at most `maxEntries / 2` keys: writes go to the young one; when it fills it becomes
 * the old one and the previous old one is dropped whole. A key that is still active (even while denied) is
 * copied forward, so a flood of new keys evicts the idle ones, not an abuser's bucket; a quiet key whose bucket
 * is still not full again moves on when its generation is dropped (up to a quarter of the bound). Expired entries cost
 * nothing: a time in the past reads as a full bucket. Suitable for one instance; use `@bulwark/redis`
 * across instances.
 *
 * @example
 * const store = createMemoryRateLimitStore({ maxEntries: 200_000 });
 * const limiter = createRateLimiter({ rate: '100/min', store });
 */
export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): MemoryRateLimitStore {
  // Two generations of half the bound each: one entry would leave a generation of none.
  const { maxEntries, now: clock } = memoryStoreOptions('stores.ratelimit', options, 2);
  const half = maxEntries >> 1;
  let young = new Generation();
  let old = new Generation();

  const write = (key: string, tat: number, now: number): void => {
    if (young.size >= half && young.slot(key) === undefined) {
      const dropped = old;
      old = young;
      young = new Generation();
      // A quiet client whose bucket still limits it (a 5/day quota) must not be reset by a flood of new
      // keys: entries still ahead of the clock move on, the most restrictive first, up to a quarter of the
      // bound (so the next rotation is at least that many writes away and the bound holds).
      for (const [k, t] of dropped.live(now, half >> 1)) if (old.slot(k) === undefined) young.set(k, t);
    }
    young.set(key, tat);
  };

  const one = (key: string, rule: BucketRule, cost: number, now: number): ConsumeResult => {
    const slot = young.slot(key);
    if (slot !== undefined) {
      // The hot path: update the slot in place, no map write and no allocation for the time.
      const step = gcra(young.tats[slot], now, rule, cost);
      if (step.allowed) young.tats[slot] = step.tat;
      return step;
    }
    const stored = old.get(key);
    const step = gcra(stored, now, rule, cost);
    if (step.allowed || stored !== undefined) write(key, step.tat, now);
    return step;
  };

  const consumeAllSync = (
    entries: readonly { key: string; rule: BucketRule; cost: number }[],
  ): ConsumeResult[] => {
    const now = clock();
    if (entries.length === 1) {
      const e = entries[0]!;
      return [one(e.key, e.rule, e.cost, now)];
    }
    // Evaluate against a private overlay first (a key may appear twice), commit only if all allow.
    const overlay = new Map<string, number | undefined>();
    const results: ConsumeResult[] = [];
    let allowed = true;
    for (const e of entries) {
      const stored = overlay.has(e.key) ? overlay.get(e.key) : (young.get(e.key) ?? old.get(e.key));
      const step = gcra(stored, now, e.rule, e.cost);
      results.push(step);
      if (step.allowed) overlay.set(e.key, step.tat);
      else allowed = false;
    }
    if (!allowed) {
      // Keep refused keys in the young generation too: an active abuser must not age out.
      for (const e of entries) {
        if (young.slot(e.key) === undefined) {
          const stored = old.get(e.key);
          if (stored !== undefined) write(e.key, stored, now);
        }
      }
      // Nothing is consumed; report the allowed buckets as they stand without this request.
      return results.map((r, i) =>
        r.allowed
          ? gcra(young.get(entries[i]!.key) ?? old.get(entries[i]!.key), now, entries[i]!.rule, 0)
          : r,
      );
    }
    for (const [key, tat] of overlay) if (tat !== undefined) write(key, tat, now);
    return results;
  };

  return {
    [SYNC_STORE]: true,
    async consume(key, rule, cost) {
      return one(key, rule, cost, clock());
    },
    async consumeAll(entries) {
      return consumeAllSync(entries);
    },
    consumeAllSync,
    get size() {
      return young.size + old.size;
    },
  };
}
