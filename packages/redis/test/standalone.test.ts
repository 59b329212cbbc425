import { defineStoreSuite } from '@bulwark/conformance';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import {
  createRedisRateLimitStore,
  createRedisRefreshTokenStore,
  createRedisReplayStore,
  createRedisRevocationStore,
} from '../src/index.js';
import { connect, runPrefix } from './redis-url.js';

let client: Redis;
const prefix = runPrefix('standalone');

beforeAll(async () => {
  client = await connect();
});
afterAll(async () => {
  // Our keys expire by themselves; remove them now to leave the shared server as we found it.
  const keys = await client.keys(`*${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
});

defineStoreSuite('redis (standalone)', {
  rateLimit: () => createRedisRateLimitStore({ client, prefix }),
  consumeAll: true,
  replay: () => createRedisReplayStore({ client, prefix }),
  revocation: () => createRedisRevocationStore({ client, prefix }),
  refresh: () => createRedisRefreshTokenStore({ client, prefix }),
});
