import {
  createMemoryRateLimitStore,
  createMemoryRefreshTokenStore,
  createMemoryReplayStore,
  createMemoryRevocationStore,
} from '@bulwark/core';
import { createManualClock } from './scenarios/store-ids.js';
import { defineStoreSuite } from './stores.js';

// The memory stores read this clock, so expiry scenarios are exact however loaded the machine is.
const clock = createManualClock();

defineStoreSuite('memory', {
  clock,
  rateLimit: () => createMemoryRateLimitStore({ now: clock.now }),
  consumeAll: true,
  replay: () => createMemoryReplayStore({ now: clock.now }),
  revocation: () => createMemoryRevocationStore({ now: clock.now }),
  refresh: () => createMemoryRefreshTokenStore({ now: clock.now }),
});
