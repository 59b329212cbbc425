import {
  createMemoryRateLimitStore,
  createMemoryRefreshTokenStore,
  createMemoryReplayStore,
  createMemoryRevocationStore,
} from '@bulwark/core';
import { defineStoreSuite } from './stores.js';

defineStoreSuite('memory', {
  rateLimit: () => createMemoryRateLimitStore(),
  consumeAll: true,
  replay: () => createMemoryReplayStore(),
  revocation: () => createMemoryRevocationStore(),
  refresh: () => createMemoryRefreshTokenStore(),
});
