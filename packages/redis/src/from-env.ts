import {
  createMemoryRateLimitStore,
  createMemoryRefreshTokenStore,
  createMemoryReplayStore,
  createMemoryRevocationStore,
  type RateLimitStore,
  type RefreshTokenStore,
  type ReplayStore,
  type RevocationStore,
} from '@bulwark/core';
import { Redis } from 'ioredis';
import { RedisStoreError } from './errors.js';
import { REDIS_CLIENT_OPTIONS } from './options.js';
import { createRedisRateLimitStore } from './ratelimit.js';
import { createRedisRefreshTokenStore } from './refresh.js';
import { createRedisReplayStore } from './replay.js';
import { createRedisRevocationStore } from './revocation.js';

/** Every store a bulwark app needs, on one backend. */
export interface BulwarkStores {
  /** `memory` (one process) or `redis` (shared by every instance pointing at the same server). */
  readonly backend: 'memory' | 'redis';
  readonly rateLimit: RateLimitStore;
  readonly replay: ReplayStore;
  readonly revocation: RevocationStore;
  readonly refresh: RefreshTokenStore;
  /** The client we opened (redis backend only), e.g. for a health check. */
  readonly client: Redis | undefined;
  /** Close the connection we opened (no-op for memory). */
  close(): Promise<void>;
}

/** Options of {@link storesFromEnv}. */
export interface StoresFromEnvOptions {
  /** Where to read `REDIS_URL` and `REDIS_PREFIX` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Per-operation timeout of the Redis stores (default 500 ms). */
  timeoutMs?: number;
}

/**
 * Memory stores, or Redis stores when `REDIS_URL` is set (`redis://` or `rediss://`, optional `REDIS_PREFIX`),
 * so one app runs alone or on many instances without a code change. With Redis it connects (no offline
 * queue, see REDIS_CLIENT_OPTIONS) before resolving, and rejects with `REDIS_UNAVAILABLE` if it cannot:
 * an app configured for shared state must not start on private memory by accident.
 *
 * @example
 * const stores = await storesFromEnv();
 * app.use(rateLimit({ rate: '100/min', store: stores.rateLimit }));
 */
export async function storesFromEnv(options: StoresFromEnvOptions = {}): Promise<BulwarkStores> {
  const env = options.env ?? process.env;
  const url = env.REDIS_URL?.trim();
  if (url === undefined || url === '') {
    return {
      backend: 'memory',
      rateLimit: createMemoryRateLimitStore(),
      replay: createMemoryReplayStore(),
      revocation: createMemoryRevocationStore(),
      refresh: createMemoryRefreshTokenStore(),
      client: undefined,
      close: async () => undefined,
    };
  }
  const client = new Redis(url, { ...REDIS_CLIENT_OPTIONS, lazyConnect: true });
  // Reconnection errors are reported by the stores' typed failures; an unhandled 'error' event would crash.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    // The URL may carry a password: name only where we tried to go.
    const where = `${client.options.host ?? '?'}:${client.options.port ?? '?'}`;
    throw new RedisStoreError(
      'REDIS_UNAVAILABLE',
      `storesFromEnv: cannot connect to REDIS_URL (${where})`,
      err,
    );
  }
  const shared = {
    client,
    ...(env.REDIS_PREFIX ? { prefix: env.REDIS_PREFIX } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
  return {
    backend: 'redis',
    rateLimit: createRedisRateLimitStore(shared),
    replay: createRedisReplayStore(shared),
    revocation: createRedisRevocationStore(shared),
    refresh: createRedisRefreshTokenStore(shared),
    client,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
