import { defineStoreSuite } from '@bulwark/conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import {
  createRedisRateLimitStore,
  createRedisRefreshTokenStore,
  createRedisReplayStore,
  createRedisRevocationStore,
  REDIS_CLIENT_OPTIONS,
} from '../src/index.js';
import { runPrefix } from './redis-url.js';
import { type OwnRedis, startRedis, startSentinel } from './servers.js';

// The client is found through Sentinel; the stores do not know or care.
let master: OwnRedis;
let sentinel: Awaited<ReturnType<typeof startSentinel>>;
let client: Redis;
const prefix = runPrefix('sentinel');

beforeAll(async () => {
  master = await startRedis();
  sentinel = await startSentinel(master);
  client = new Redis({
    sentinels: [{ host: sentinel.host, port: sentinel.port }],
    name: 'mymaster',
    ...REDIS_CLIENT_OPTIONS,
    lazyConnect: true,
  });
  await client.connect();
});
afterAll(async () => {
  client?.disconnect();
  await sentinel?.destroy();
  await master?.destroy();
});

defineStoreSuite('redis (via Sentinel)', {
  rateLimit: () => createRedisRateLimitStore({ client, prefix }),
  consumeAll: true,
  replay: () => createRedisReplayStore({ client, prefix }),
  revocation: () => createRedisRevocationStore({ client, prefix }),
  refresh: () => createRedisRefreshTokenStore({ client, prefix }),
});
