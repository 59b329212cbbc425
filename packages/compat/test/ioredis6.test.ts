import { defineStoreSuite } from '@bulwark/conformance';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createRedisRateLimitStore,
  createRedisRefreshTokenStore,
  createRedisReplayStore,
  createRedisRevocationStore,
} from '../../redis/src/index.js';
import { connect, runPrefix } from '../../redis/test/redis-url.js';
import { loadedVersions } from './loaded.js';

let client: Redis;
const prefix = runPrefix('ioredis6');

beforeAll(async () => {
  client = await connect();
});
afterAll(async () => {
  const keys = await client.keys(`*${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
});

test('the stores under test run on ioredis 6, and only on it', () => {
  expect(loadedVersions('ioredis')).toEqual([expect.stringMatching(/^6\./)]);
});

defineStoreSuite('redis (standalone, ioredis 6)', {
  rateLimit: () => createRedisRateLimitStore({ client, prefix }),
  consumeAll: true,
  replay: () => createRedisReplayStore({ client, prefix }),
  revocation: () => createRedisRevocationStore({ client, prefix }),
  refresh: () => createRedisRefreshTokenStore({ client, prefix }),
});
