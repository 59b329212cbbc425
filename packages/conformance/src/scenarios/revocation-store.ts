import type { RevocationStore } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { realClock, type StoreClock, uniqueKey } from './store-ids.js';

// A window the scenario observes from inside: far above scheduler noise (a 70 ms stall flipped 60 ms).
const WINDOW_MS = 1_000;

/**
 * The RevocationStore contract (JWT denylist).
 *
 * @example
 * revocationStoreScenarios('memory', () => createMemoryRevocationStore());
 */
export function revocationStoreScenarios(
  name: string,
  make: () => RevocationStore | Promise<RevocationStore>,
  clock: StoreClock = realClock,
): void {
  describe(`RevocationStore contract: ${name}`, () => {
    it('reports a revoked id until it expires, and nothing else', async () => {
      const store = await make();
      const id = uniqueKey('jti');
      expect(await store.isRevoked(id)).toBe(false);
      await store.revoke(id, clock.now() + 60_000);
      expect(await store.isRevoked(id)).toBe(true);
      expect(await store.isRevoked(`${id}x`)).toBe(false);
    });

    it('forgets a revocation once the token would have expired anyway', async () => {
      const store = await make();
      const id = uniqueKey('jti');
      await store.revoke(id, clock.now() + WINDOW_MS);
      expect(await store.isRevoked(id)).toBe(true);
      await clock.sleep(WINDOW_MS + WINDOW_MS / 2);
      expect(await store.isRevoked(id)).toBe(false);
    });

    it('ignores a revocation whose expiry has already passed', async () => {
      const store = await make();
      const id = uniqueKey('jti');
      await store.revoke(id, clock.now() - 1_000);
      expect(await store.isRevoked(id)).toBe(false);
    });

    it('sees every revocation made concurrently', async () => {
      const store = await make();
      const ids = Array.from({ length: 40 }, () => uniqueKey('jti'));
      await Promise.all(ids.map((id) => store.revoke(id, clock.now() + 60_000)));
      const seen = await Promise.all(ids.map((id) => store.isRevoked(id)));
      expect(seen.every(Boolean)).toBe(true);
    });

    it('keeps ids that differ only after braces apart', async () => {
      const store = await make();
      const base = uniqueKey('jti');
      await store.revoke(`${base}{a}`, clock.now() + 60_000);
      expect(await store.isRevoked(`${base}{a}`)).toBe(true);
      expect(await store.isRevoked(`${base}{b}`)).toBe(false);
    });
  });
}
