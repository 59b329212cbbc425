import { BoundedMap } from './bounded-map.js';
import type { ClaimOutcome, ReplayStore, RevocationStore } from './types.js';

/**
 * A memory store that may not evict live entries is full; the rule using it fails closed.
 *
 * @example
 * try { await revocations.revoke(jti, expMs); } catch (e) { if (e instanceof StoreFullError) alert(e); }
 */
export class StoreFullError extends Error {
  readonly code = 'STORE_FULL';
  constructor(store: string) {
    super(`${store} store is full of live entries; raise maxEntries or use @bulwark/redis`);
    this.name = 'StoreFullError';
  }
}

/** Options shared by the memory stores. */
export interface MemoryStoreOptions {
  /** Upper bound on entries kept; the least recently used are evicted beyond it. Default 100 000. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * In-process replay/idempotency store. Bounded; suitable for one instance. Use `@bulwark/redis` across instances.
 *
 * @example
 * const replay = createMemoryReplayStore();
 * await replay.claim('evt_1', 300_000); // 'claimed'
 */
export function createMemoryReplayStore(options: MemoryStoreOptions = {}): ReplayStore {
  const now = options.now ?? Date.now;
  // Never evicts a live claim: forgetting one would let a replay through. A full store throws (fail closed).
  const map = new BoundedMap<string, ClaimOutcome>(options.maxEntries ?? 100_000, now, false);
  return {
    async claim(key, ttlMs) {
      const existing = map.get(key);
      if (existing !== undefined) return existing === 'done' ? 'done' : 'processing';
      if (!map.set(key, 'processing', now() + ttlMs)) throw new StoreFullError('replay');
      return 'claimed';
    },
    async complete(key, ttlMs) {
      if (!map.set(key, 'done', now() + ttlMs)) throw new StoreFullError('replay');
    },
    async release(key) {
      map.delete(key);
    },
  };
}

/**
 * In-process revocation denylist. Entries expire when the revoked token would have.
 *
 * @example
 * const revocations = createMemoryRevocationStore();
 * await revocations.revoke(jti, exp * 1000);
 */
export function createMemoryRevocationStore(options: MemoryStoreOptions = {}): RevocationStore {
  const now = options.now ?? Date.now;
  // Never evicts a live revocation: that would silently un-revoke a token.
  const map = new BoundedMap<string, true>(options.maxEntries ?? 100_000, now, false);
  return {
    async revoke(id, expiresAtMs) {
      if (expiresAtMs > now() && !map.set(id, true, expiresAtMs)) throw new StoreFullError('revocation');
    },
    async isRevoked(id) {
      return map.get(id) === true;
    },
  };
}
