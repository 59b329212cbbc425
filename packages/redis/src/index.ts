/**
 * @bulwark/redis: every bulwark store on Redis or Valkey through the ioredis client you pass in. Atomic Lua
 * (one round trip each), server time, cluster-safe keys, bounded timeouts, typed failures.
 */
export { isRedisStoreError, RedisStoreError } from './errors.js';
export type { RedisStoreErrorCode } from './errors.js';
export { REDIS_CLIENT_OPTIONS, REDIS_CLUSTER_OPTIONS } from './options.js';
export type { RedisClient, RedisStoreOptions } from './options.js';
export { createRedisRateLimitStore } from './ratelimit.js';
export { createRedisReplayStore } from './replay.js';
export { createRedisRevocationStore } from './revocation.js';
export { createRedisRefreshTokenStore } from './refresh.js';
export { storesFromEnv } from './from-env.js';
export type { BulwarkStores, StoresFromEnvOptions } from './from-env.js';
