/**
 * A size-bounded map with per-entry expiry and no timer per key. Eviction order is the CLOCK
 * approximation of LRU: a `get` only marks its entry as used (no re-insertion on the hot path), and an
 * entry that reaches the old end marked goes back to the new end once, unmarked. Expired entries are
 * dropped when touched. At the bound, expired entries at the old end are purged; then, with `evictLive`
 * (caches, rate-limit buckets) the oldest entry not used since it was last passed over goes, and without it (denylists, replay claims, where forgetting an entry would re-open an attack)
 * `set` refuses and returns false so the caller can fail closed.
 *
 * @example
 * const m = new BoundedMap<string, number>(10_000);
 * m.set('k', 1, Date.now() + 60_000);
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number; used: boolean }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    private readonly evictLive = true,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live entry for `key`; `at` is the time to judge expiry by when the caller has read the clock already. */
  get(key: K, at?: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= (at ?? this.now())) {
      this.entries.delete(key);
      return undefined;
    }
    entry.used = true;
    return entry.value;
  }

  /** `expiresAt` is epoch ms. Returns false when the map is full of live entries and may not evict them. */
  set(key: K, value: V, expiresAt: number): boolean {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries && !this.evict()) return false;
    this.entries.set(key, { value, expiresAt, used: false });
    return true;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Make room for one entry; false when that would mean dropping a live entry we may not drop. */
  private evict(): boolean {
    const now = this.now();
    let scanned = 0;
    for (const [key, entry] of this.entries) {
      if (scanned++ >= 16) break;
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
    if (this.entries.size < this.maxEntries) return true;
    if (!this.evictLive) {
      // A full sweep is rare (only when the bound is reached) and keeps the refusal honest.
      for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
      return this.entries.size < this.maxEntries;
    }
    // Second chance, bounded: at most 32 used entries move to the new end before the next one goes.
    let spared = 0;
    for (const [key, entry] of this.entries) {
      if (entry.used && spared < 32) {
        spared++;
        entry.used = false;
        this.entries.delete(key);
        this.entries.set(key, entry);
        continue;
      }
      this.entries.delete(key);
      break;
    }
    return true;
  }
}
