import {
  createMemoryRefreshTokenStore,
  createMemoryReplayStore,
  createMemoryRevocationStore,
} from '@bulwark/core';
import { defineStoreSuite } from './stores.js';

defineStoreSuite('memory', {
  replay: () => createMemoryReplayStore(),
  revocation: () => createMemoryRevocationStore(),
  refresh: () => createMemoryRefreshTokenStore(),
});
