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
import { checkOptions, numberOption, optionKeys } from '@bulwark/core/toolkit';
import { Cluster, Redis } from 'ioredis';
import { RedisStoreError } from './errors.js';
import { REDIS_CLIENT_OPTIONS, REDIS_CLUSTER_OPTIONS } from './options.js';
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
  readonly client: Redis | Cluster | undefined;
  /** Close the connection we opened (no-op for memory). */
  close(): Promise<void>;
}

/** Options of {@link storesFromEnv}. */
export interface StoresFromEnvOptions {
  /** Where to read `REDIS_URL`, `REDIS_CLUSTER` and `REDIS_PREFIX` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Per-operation timeout of the Redis stores (default 500 ms). */
  timeoutMs?: number;
}

/**
 * Memory stores, or Redis stores when `REDIS_URL` is set (`redis://` or `rediss://`, optional `REDIS_PREFIX`),
 * so one app runs alone or on many instances without a code change. With `REDIS_CLUSTER=1`, `REDIS_URL` names
 * one node of a Redis Cluster (comma-separate several seed nodes) and a Cluster client is used. With Redis it connects (no offline
 * queue, see REDIS_CLIENT_OPTIONS) before resolving, and rejects with `REDIS_UNAVAILABLE` if it cannot:
 * an app configured for shared state must not start on private memory by accident.
 *
 * @example
 * const stores = await storesFromEnv();
 * app.use(rateLimit({ rate: '100/min', store: stores.rateLimit }));
 */
export async function storesFromEnv(options: StoresFromEnvOptions = {}): Promise<BulwarkStores> {
  // Checked before anything connects, whichever backend the environment picks.
  checkOptions('stores', options, optionKeys<StoresFromEnvOptions>()('env', 'timeoutMs'));
  numberOption('stores.timeoutMs', options.timeoutMs, { min: 1, max: 60_000 });
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
  const cluster = env.REDIS_CLUSTER === '1' || env.REDIS_CLUSTER === 'true';
  const client = cluster
    ? clusterClient(url)
    : new Redis(url, { ...REDIS_CLIENT_OPTIONS, lazyConnect: true });
  // Reconnection errors are reported by the stores' typed failures; an unhandled 'error' event would crash.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    // The URL may carry a password: name only where we tried to go.
    throw new RedisStoreError(
      'REDIS_UNAVAILABLE',
      `storesFromEnv: cannot connect to REDIS_URL (${where(url)})`,
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

function where(urls: string): string {
  return urls
    .split(',')
    .map((u) => {
      try {
        const parsed = new URL(u.trim());
        return `${parsed.hostname}:${parsed.port || '6379'}`;
      } catch {
        return 'an unparsable URL';
      }
    })
    .join(', ');
}

function clusterClient(urls: string): Cluster {
  const seeds = urls.split(',').map((u) => new URL(u.trim()));
  const first = seeds[0]!;
  return new Cluster(
    seeds.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
    {
      ...REDIS_CLUSTER_OPTIONS,
      lazyConnect: true,
      redisOptions: {
        ...REDIS_CLUSTER_OPTIONS.redisOptions,
        ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
        ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
        ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
      },
    },
  );
}
