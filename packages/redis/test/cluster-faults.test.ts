import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisReplayStore, isRedisStoreError, REDIS_CLUSTER_OPTIONS } from '../src/index.js';
import { runPrefix } from './redis-url.js';
import { type OwnCluster, startCluster } from './servers.js';

// One master of a 3-master cluster dies and comes back: every call answers within the timeout, either
// with a result or a typed error, and the same client and store serve every slot again once it is back.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = runPrefix('cluster-faults');
let cluster: OwnCluster;
let client: Cluster;

beforeAll(async () => {
  cluster = await startCluster(3);
  client = new Cluster([...cluster.nodes], { ...REDIS_CLUSTER_OPTIONS, lazyConnect: true });
  client.on('error', () => undefined);
  await client.connect();
});
afterAll(async () => {
  client?.disconnect();
  await cluster?.destroy();
});

/** Outcome of one call: 'ok' or the RedisStoreError code; anything else fails the test. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    if (!isRedisStoreError(err)) throw err;
    return err.code;
  }
}

describe('Redis Cluster with a master down', () => {
  it('answers every call in bounded time with a result or a typed error, and recovers by itself', async () => {
    const store = createRedisReplayStore({ client, prefix, timeoutMs: 300 });
    const keys = Array.from({ length: 30 }, (_, i) => `evt-${i}`);
    const round = async (tag: string) =>
      Promise.all(keys.map((k) => outcome(store.claim(`${k}-${tag}`, 60_000))));

    expect(new Set(await round('before'))).toEqual(new Set(['ok']));
    const victim = cluster.servers[0]!;
    await victim.stop();
    const during = await round('during');
    // The dead master's slots fail (typed); the others may still answer until the cluster marks itself down.
    expect(during.some((o) => o !== 'ok')).toBe(true);
    for (const o of during) expect(['ok', 'REDIS_UNAVAILABLE', 'REDIS_TIMEOUT']).toContain(o);

    await victim.start();
    let after: string[] = [];
    for (let i = 0; i < 200; i++) {
      after = await round(`after-${i}`);
      if (after.every((o) => o === 'ok')) break;
      await sleep(100);
    }
    expect(new Set(after)).toEqual(new Set(['ok']));
  });
});
