import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { BoundedMap } from './bounded-map.js';
import { warnIfPerIsolate } from './isolate-warning.js';
import type { ReplayStore, RevocationStore } from './types.js';

const DONE = Symbol('done');

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

const STORE_KEYS = optionKeys<MemoryStoreOptions>()('maxEntries', 'now');

/**
 * The checked options of a memory store: known keys only, `maxEntries` a whole number in range.
 *
 * @example
 * const { maxEntries, now } = memoryStoreOptions('stores.replay', options);
 */
export function memoryStoreOptions(
  path: string,
  options: MemoryStoreOptions | undefined,
  min = 1,
): { maxEntries: number; now: () => number } {
  const o = checkOptions(path, options ?? {}, STORE_KEYS) as MemoryStoreOptions;
  warnIfPerIsolate(path);
  return {
    maxEntries: numberOption(`${path}.maxEntries`, o.maxEntries, {
      min,
      max: 100_000_000,
      fallback: 100_000,
    }),
    now: o.now ?? Date.now,
  };
}

/**
 * In-process replay/idempotency store. Bounded; suitable for one instance. Use `@bulwark/redis` across instances.
 *
 * @example
 * const replay = createMemoryReplayStore();
 * const claim = await replay.claim('evt_1', 300_000); // { outcome: 'claimed', token }
 * if (claim.outcome === 'claimed') await replay.complete('evt_1', claim.token, 86_400_000);
 */
export function createMemoryReplayStore(options: MemoryStoreOptions = {}): ReplayStore {
  const { maxEntries, now } = memoryStoreOptions('stores.replay', options);
  // Never evicts a live claim: forgetting one would let a replay through. A full store throws (fail closed).
  // A processing claim holds its fencing token; 'done' holds none (nothing may undo it).
  const map = new BoundedMap<string, string | typeof DONE>(maxEntries, now, false);
  // Tokens only need to differ between claims of one key within this process: a counter does that.
  let sequence = 0;
  return {
    async claim(key, ttlMs) {
      const existing = map.get(key);
      if (existing !== undefined) return { outcome: existing === DONE ? 'done' : 'processing' };
      const token = (++sequence).toString(36);
      if (!map.set(key, token, now() + ttlMs)) throw new StoreFullError('replay');
      return { outcome: 'claimed', token };
    },
    async complete(key, token, ttlMs) {
      const existing = map.get(key);
      if (existing !== undefined && existing !== token) return false;
      if (!map.set(key, DONE, now() + ttlMs)) throw new StoreFullError('replay');
      return true;
    },
    async release(key, token) {
      if (map.get(key) !== token) return false;
      map.delete(key);
      return true;
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
  const { maxEntries, now } = memoryStoreOptions('stores.revocation', options);
  // Never evicts a live revocation: that would silently un-revoke a token.
  const map = new BoundedMap<string, true>(maxEntries, now, false);
  return {
    async revoke(id, expiresAtMs) {
      if (expiresAtMs > now() && !map.set(id, true, expiresAtMs)) throw new StoreFullError('revocation');
    },
    async isRevoked(id) {
      return map.get(id) === true;
    },
  };
}
