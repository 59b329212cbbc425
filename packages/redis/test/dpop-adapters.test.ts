// The DPoP conformance group of every adapter with the replay store in Redis: the memory runs are each
// adapter's own suite; here every app instance gets its own connection and store, sharing only the server,
// so "a proof replayed to another instance" crosses a real process boundary's worth of state.
import { type DpopReplayBackend, dpopScenarios } from '@bulwark/conformance';
import type { Redis } from 'ioredis';
import { expressHarness } from '../../express/test/harness.js';
import { fastifyHarness } from '../../fastify/test/harness.js';
import { fetchHarness } from '../../fetch/test/harness.js';
import { honoHarness } from '../../hono/test/harness.js';
import { nestHarness } from '../../nestjs/test/harness.js';
import { createRedisReplayStore } from '../src/index.js';
import { connect, runPrefix } from './redis-url.js';

function redisBackend(label: string): DpopReplayBackend {
  const prefix = runPrefix(`dpop-${label}`);
  const clients: Redis[] = [];
  return {
    name: 'redis',
    shared: true,
    async make() {
      const client = await connect();
      clients.push(client);
      return createRedisReplayStore({ client, prefix });
    },
    async close() {
      const found = clients.length > 0 ? await clients[0]!.keys(`*${prefix}*`) : [];
      if (found.length > 0) await clients[0]!.del(...found);
      await Promise.all(clients.splice(0).map((c) => c.quit()));
    },
  };
}

for (const harness of [
  expressHarness,
  fastifyHarness,
  fetchHarness,
  honoHarness,
  nestHarness('express'),
  nestHarness('fastify'),
]) {
  dpopScenarios(harness, redisBackend(harness.name.replace(/\W+/g, '-')));
}
