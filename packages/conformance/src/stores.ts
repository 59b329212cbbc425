import type { RateLimitStore, RefreshTokenStore, ReplayStore, RevocationStore } from '@bulwark/core';
import { rateLimitStoreScenarios } from './scenarios/ratelimit-store.js';
import { refreshStoreScenarios } from './scenarios/refresh-store.js';
import { replayStoreScenarios } from './scenarios/replay-store.js';
import { revocationStoreScenarios } from './scenarios/revocation-store.js';
import { realClock, type StoreClock } from './scenarios/store-ids.js';

type Make<T> = () => T | Promise<T>;

/** How to build each store of one backend; leave out the stores a backend does not provide. */
export interface StoreFactory {
  rateLimit?: Make<RateLimitStore>;
  /** Set when the rate-limit store implements `consumeAll`: its all-or-nothing scenarios then run. */
  consumeAll?: boolean;
  replay?: Make<ReplayStore>;
  revocation?: Make<RevocationStore>;
  refresh?: Make<RefreshTokenStore>;
  /**
   * The clock every store above reads, when the backend takes one (memory stores: `now: clock.now`). With
   * `createManualClock()` expiry scenarios are exact and instant. Without it (Redis keeps its own time) they
   * wait for real, with windows far above scheduler noise.
   */
  clock?: StoreClock;
}

/**
 * Register the store contract for one backend: every store (memory, Redis standalone, Redis Cluster) runs the
 * same scenarios, so the behaviour a rule relies on is proven identical everywhere. Scenarios use keys unique
 * to the run, so a shared server needs no flush, and let time pass for expiry through `factory.clock`.
 *
 * @example
 * defineStoreSuite('memory', { replay: () => createMemoryReplayStore() });
 */
export function defineStoreSuite(name: string, factory: StoreFactory): void {
  const clock = factory.clock ?? realClock;
  if (factory.rateLimit !== undefined)
    rateLimitStoreScenarios(name, factory.rateLimit, { consumeAll: factory.consumeAll === true, clock });
  if (factory.replay !== undefined) replayStoreScenarios(name, factory.replay, clock);
  if (factory.revocation !== undefined) revocationStoreScenarios(name, factory.revocation, clock);
  if (factory.refresh !== undefined) refreshStoreScenarios(name, factory.refresh, clock);
}
