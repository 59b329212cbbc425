import { createMemoryRefreshTokenStore } from '@bulwark/core';
import { refreshStoreScenarios } from './scenarios/refresh-store.js';

refreshStoreScenarios('memory', () => createMemoryRefreshTokenStore());
