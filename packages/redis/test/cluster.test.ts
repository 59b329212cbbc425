import { defineStoreSuite } from '@bulwark/conformance';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisRateLimitStore,
  createRedisRefreshTokenStore,
  createRedisReplayStore,
  createRedisRevocationStore,
  REDIS_CLUSTER_OPTIONS,
  storesFromEnv,
} from '../src/index.js';
import { runPrefix } from './redis-url.js';
import { type OwnCluster, startCluster } from './servers.js';

let cluster: OwnCluster;
let client: Cluster;
const prefix = runPrefix('cluster');

beforeAll(async () => {
  cluster = await startCluster(3);
  client = new Cluster([...cluster.nodes], { ...REDIS_CLUSTER_OPTIONS, lazyConnect: true });
  await client.connect();
});
afterAll(async () => {
  await client?.quit();
  await cluster?.destroy();
});

defineStoreSuite('redis (3-master cluster)', {
  rateLimit: () => createRedisRateLimitStore({ client, prefix }),
  consumeAll: true,
  replay: () => createRedisReplayStore({ client, prefix }),
  revocation: () => createRedisRevocationStore({ client, prefix }),
  refresh: () => createRedisRefreshTokenStore({ client, prefix }),
});

describe('cluster key placement', () => {
  it('spreads replay claims over every master while user braces stay inside our tag', async () => {
    const own = `${prefix}-placement`;
    const store = createRedisReplayStore({ client, prefix: own });
    const keys = Array.from({ length: 60 }, (_, i) => `evt-${i}-{same}`);
    const claims = await Promise.all(keys.map((k) => store.claim(k, 60_000)));
    expect(new Set(claims.map((c) => c.outcome))).toEqual(new Set(['claimed']));
    const perNode = await Promise.all(client.nodes('master').map((node) => node.keys(`${own}:rp:*`)));
    // A user `{same}` would have put every key on one slot; escaped, the keys land on all three masters.
    expect(perNode.map((keys) => keys.length > 0)).toEqual([true, true, true]);
    expect(perNode.flat().every((k) => k.includes('%7Bsame%7D'))).toBe(true);
  });
});

describe('storesFromEnv with REDIS_CLUSTER=1', () => {
  it('opens a Cluster client from one seed node and runs every store on it', async () => {
    const seed = cluster.nodes[1]!;
    const stores = await storesFromEnv({
      env: {
        REDIS_URL: `redis://${seed.host}:${seed.port}`,
        REDIS_CLUSTER: '1',
        REDIS_PREFIX: `${prefix}-env`,
      },
    });
    try {
      expect(stores.backend).toBe('redis');
      const claims = await Promise.all(
        Array.from({ length: 30 }, (_, i) => stores.replay.claim(`e${i}`, 60_000)),
      );
      expect(claims.every((c) => c.outcome === 'claimed')).toBe(true);
      const rule = { intervalMs: 60_000, burst: 1 };
      const both = await stores.rateLimit.consumeAll!([
        { key: 'ip', rule, cost: 1 },
        { key: 'user', rule, cost: 1 },
      ]);
      expect(both.every((r) => r.allowed)).toBe(true);
    } finally {
      await stores.close();
    }
  });
});
