import { fileURLToPath } from 'node:url';
import { defineOptionContract, type OptionCase } from '@bulwark/conformance/options-contract';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { storesFromEnv } from './from-env.js';
import { createRedisRateLimitStore } from './ratelimit.js';
import { createRedisRefreshTokenStore } from './refresh.js';
import { createRedisReplayStore } from './replay.js';
import { createRedisRevocationStore } from './revocation.js';

// Every options-taking export of @bulwark/redis, read from its declarations (see the core contract in
// @bulwark/conformance): unknown keys and NaN / -1 / Infinity numbers are ConfigErrors naming their path.

// A client is only checked, never used: nothing connects.
const client = new Redis({ lazyConnect: true });
afterAll(() => client.disconnect());

const store = (fn: (options: never) => unknown): OptionCase => ({
  bases: [{ client, prefix: 'contract', timeoutMs: 500 }],
  call: (o) => fn(o as never),
});

defineOptionContract(
  '@bulwark/redis',
  [fileURLToPath(new URL('./index.ts', import.meta.url))],
  {
    createRedisRateLimitStore: store(createRedisRateLimitStore),
    createRedisReplayStore: store(createRedisReplayStore),
    createRedisRevocationStore: store(createRedisRevocationStore),
    createRedisRefreshTokenStore: store(createRedisRefreshTokenStore),
    storesFromEnv: {
      // No REDIS_URL: memory stores, so the check runs without a server.
      bases: [{ env: {}, timeoutMs: 500 }],
      call: (o) => storesFromEnv(o as never),
    },
  },
  {},
);
