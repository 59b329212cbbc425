// The Redis stores' own suites, imported so they run here with every `ioredis` import (the stores', the
// tests' and storesFromEnv's) resolved to ioredis 6: standalone, a 3-master cluster, and the timeouts,
// stalls and failovers where a client major changes behaviour (offline queue, MOVED after a restart).
import '../../redis/test/standalone.test.js';
import '../../redis/test/cluster.test.js';
import '../../redis/test/cluster-faults.test.js';
import '../../redis/test/faults.test.js';
import { expect, test } from 'vitest';
import { loadedVersions } from './loaded.js';

test('the stores under test run on ioredis 6, and only on it', () => {
  expect(loadedVersions('ioredis')).toEqual([expect.stringMatching(/^6\./)]);
});
