import { createMemoryRateLimitStore, type RateLimiterOptions, type RateLimitStore } from '@bulwark/core';
import { expect } from 'vitest';

/**
 * The memory store seen through its promise interface only, as a network store is: a limiter on it cannot
 * decide synchronously (core's `synchronousCheck` answers `undefined`), so an adapter takes its awaited path.
 *
 * @example
 * createRateLimiter({ rate: '3/min', store: asyncOnly(createMemoryRateLimitStore()) })
 */
export function asyncOnly(store: RateLimitStore): RateLimitStore {
  return {
    consume: (key, rule, cost) => store.consume(key, rule, cost),
    consumeAll: (entries) => store.consumeAll!(entries),
  };
}

/** Which side of a sync-path comparison: the memory store as it is, or the same store behind promises. */
export type StoreSide = 'memory' | 'promised';

/** What {@link syncPathSides} returns. */
export interface SyncPathSides {
  /** The clock every limiter and store of both sides reads (ms). */
  readonly now: () => number;
  /** Move the shared clock forward. */
  advance(ms: number): void;
  /**
   * `options` for one side: the shared clock, `legacyHeaders` (Retry-After and the RateLimit fields), a client-IP
   * reader that reports nothing, and on the `promised` side a fresh memory store behind {@link asyncOnly}.
   */
  limiter(side: StoreSide, options: RateLimiterOptions): RateLimiterOptions;
  /**
   * Run the same requests on both sides (memory first) and expect identical answers; returns the memory side's.
   * `run` builds its app for the side it is given and returns what it observed (statuses, headers, bodies).
   */
  same<T>(run: (side: StoreSide) => Promise<T>): Promise<T>;
}

/**
 * The scaffold of an adapter's rate-limit sync-path test: on the memory store the adapter decides without
 * awaiting the limiter; behind promises it takes the path a network store takes. Both must answer every request
 * alike (statuses, headers, bodies, events), which `same` checks.
 *
 * @example
 * const sides = syncPathSides();
 * const answers = await sides.same(async (side) => run(build(sides.limiter(side, { rate: '3/min' }))));
 * expect(answers[3].headers).toMatchObject(SPENT_3_PER_MIN);
 */
export function syncPathSides(start = 5_000_000): SyncPathSides {
  let t = start;
  const now = () => t;
  return {
    now,
    advance(ms) {
      t += ms;
    },
    limiter(side, options) {
      return {
        ...options,
        now,
        legacyHeaders: true,
        clientIp: { onEvent: () => {} },
        ...(side === 'promised' ? { store: asyncOnly(createMemoryRateLimitStore({ now })) } : {}),
      };
    },
    async same(run) {
      const memory = await run('memory');
      const promised = await run('promised');
      expect(memory).toEqual(promised);
      return memory;
    },
  };
}

/**
 * What a 429 of a `3/min` per-IP limit carries when its three requests were spent at the same instant, with
 * legacy headers on: problem+json, 20 s to wait. For `toMatchObject` on the response headers.
 */
export const SPENT_3_PER_MIN = Object.freeze({
  'content-type': expect.stringMatching(/^application\/problem\+json/),
  'retry-after': '20',
  ratelimit: '"ip";r=0;t=20',
});
