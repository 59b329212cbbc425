import { ConfigError } from '@bulwark/core';
import { checkOptions, numberOption, optionKeys } from '@bulwark/core/toolkit';
import type { Cluster, Redis } from 'ioredis';

/** An ioredis client you created: standalone, Sentinel (`new Redis({ sentinels })`) or `new Cluster(...)`. */
export type RedisClient = Redis | Cluster;

/** Options shared by every Redis store. */
export interface RedisStoreOptions {
  /**
   * Your ioredis client; the store never opens connections of its own. Create it with
   * {@link REDIS_CLIENT_OPTIONS} so an outage fails fast instead of queueing a backlog.
   */
  client: RedisClient;
  /** Key prefix, so several apps can share one Redis. Letters, digits, `_ - . :` only. Default `bulwark`. */
  prefix?: string;
  /** Longest wait for one operation before it fails with `REDIS_TIMEOUT`. Default 500 ms, at most 60 s. */
  timeoutMs?: number;
}

/**
 * ioredis options we recommend for a client given to the stores. `enableOfflineQueue: false` makes calls
 * fail at once while disconnected instead of queueing them: a queued rate-limit or replay call would run
 * after its request was already answered. With it, wait for the client's `ready` event before serving.
 *
 * @example
 * const client = new Redis(process.env.REDIS_URL, REDIS_CLIENT_OPTIONS);
 */
export const REDIS_CLIENT_OPTIONS: {
  readonly enableOfflineQueue: false;
  readonly maxRetriesPerRequest: 1;
  readonly connectTimeout: 2_000;
  readonly enableAutoPipelining: true;
} = Object.freeze({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  // Batches the commands issued in one tick into one write: most of the throughput with many requests in flight.
  enableAutoPipelining: true,
});

/**
 * ioredis Cluster options we recommend. The offline queue is off at the cluster level only: ioredis needs it
 * on the per-node connections it opens lazily (to follow MOVED/ASK redirections to a node it has not talked
 * to yet, e.g. a master that just restarted), so do not put `enableOfflineQueue: false` in `redisOptions`.
 * Auto-pipelining stays off on Cluster: with it, ioredis 5 hands MOVED errors to the caller after a topology
 * change and never recovers (we reproduced it with a restarted master; ioredis issue #2075).
 *
 * @example
 * const client = new Cluster(nodes, REDIS_CLUSTER_OPTIONS);
 */
export const REDIS_CLUSTER_OPTIONS: {
  readonly enableOfflineQueue: false;
  readonly enableAutoPipelining: false;
  readonly redisOptions: { readonly connectTimeout: 2_000; readonly maxRetriesPerRequest: 1 };
} = Object.freeze({
  enableOfflineQueue: false,
  enableAutoPipelining: false,
  redisOptions: Object.freeze({ connectTimeout: 2_000, maxRetriesPerRequest: 1 }),
});

/** What every store needs, validated once. */
export interface ResolvedOptions {
  readonly client: RedisClient;
  readonly prefix: string;
  readonly timeoutMs: number;
}

const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;
const STORE_KEYS = optionKeys<RedisStoreOptions>()('client', 'prefix', 'timeoutMs');

/**
 * Check the shared options at construction (ConfigError names the option and the safe alternative).
 *
 * @example
 * const resolved = resolveOptions('stores.replay', options);
 */
export function resolveOptions(area: string, options: RedisStoreOptions): ResolvedOptions {
  checkOptions(area, options, STORE_KEYS);
  const client = options?.client as unknown as { evalsha?: unknown; eval?: unknown } | undefined;
  if (typeof client !== 'object' || client === null || typeof client.evalsha !== 'function') {
    throw new ConfigError(
      `${area}.client`,
      'is not an ioredis client',
      'pass new Redis(url, REDIS_CLIENT_OPTIONS) or new Cluster(nodes, REDIS_CLUSTER_OPTIONS)',
    );
  }
  const prefix = options.prefix ?? 'bulwark';
  if (!PREFIX.test(prefix)) {
    // Braces would let the prefix pick our hash tag; the rest keeps keys readable in redis-cli.
    throw new ConfigError(
      `${area}.prefix`,
      `${JSON.stringify(prefix)} is not 1-64 characters of letters, digits, _ - . :`,
      "use a plain name such as 'myapp'",
    );
  }
  // Keep it a little above your Redis p99.9 latency: a longer wait holds requests during an outage.
  const timeoutMs = numberOption(`${area}.timeoutMs`, options.timeoutMs, {
    min: 1,
    max: 60_000,
    fallback: 500,
  });
  return { client: options.client, prefix, timeoutMs };
}

/**
 * Put a user-supplied key inside our hash tag with its braces escaped, so the key picks its own slot (spreading
 * load over a Cluster) but can never close our tag early or open one of its own.
 *
 * @example
 * tagged('evt{1}') // '{evt%7B1%7D}'
 */
export function tagged(key: string): string {
  if (!/[{}%]/.test(key)) return `{${key}}`;
  return `{${key.replace(/%/g, '%25').replace(/\{/g, '%7B').replace(/\}/g, '%7D')}}`;
}
