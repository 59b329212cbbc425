import {
  createMemoryRateLimitStore,
  createMemoryRefreshTokenStore,
  createMemoryReplayStore,
  createMemoryRevocationStore,
} from '@bulwark/core';
import { sleep } from './scenarios/store-ids.js';
import { defineStoreSuite } from './stores.js';

const STALL_MS = 70;

/**
 * The store, with a scheduler stall in front of every call: what a shared 2-core machine does to a test
 * now and then. The contract must hold on real time anyway, so its time windows must be far above this.
 */
function stalled<T extends object>(store: T): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await sleep(STALL_MS);
        return value.apply(target, args);
      };
    },
  });
}

defineStoreSuite(`memory, real time, a ${STALL_MS} ms stall before every call`, {
  rateLimit: () => stalled(createMemoryRateLimitStore()),
  consumeAll: true,
  replay: () => stalled(createMemoryReplayStore()),
  revocation: () => stalled(createMemoryRevocationStore()),
  refresh: () => stalled(createMemoryRefreshTokenStore()),
});
