/**
 * `@bulwark/core/stores`: the store interfaces every rule's state goes through (one atomic step per
 * operation) and their bounded in-memory implementations. `@bulwark/redis` implements the same interfaces.
 */
export { createMemoryReplayStore, createMemoryRevocationStore, StoreFullError } from './memory.js';
export type { MemoryStoreOptions } from './memory.js';
export { createMemoryRefreshTokenStore } from './memory-refresh.js';
export { createMemoryRateLimitStore } from './memory-ratelimit.js';
export type { MemoryRateLimitStore, MemoryRateLimitStoreOptions } from './memory-ratelimit.js';
export type {
  BucketRule,
  ClaimOutcome,
  ClaimResult,
  ConsumeResult,
  NewRefreshFamily,
  RateLimitStore,
  RefreshTokenStore,
  ReplayStore,
  RevocationStore,
  RotateRequest,
  RotateResult,
} from './types.js';
