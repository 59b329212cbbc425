import type { RefreshTokenStore } from '@bulwark/core';
import { describe, expect, it } from 'vitest';

let seq = 0;
/** Unique ids per run so a shared server (Redis) needs no flush between tests; `{}` must not steer slots. */
function id(label: string): string {
  seq += 1;
  return `${label}:{${process.pid.toString(36)}}:${Date.now().toString(36)}:${seq}`;
}

/**
 * The RefreshTokenStore contract: every store (memory, Redis) runs these scenarios.
 *
 * @example
 * refreshStoreScenarios('memory', () => createMemoryRefreshTokenStore());
 */
export function refreshStoreScenarios(
  name: string,
  make: () => RefreshTokenStore | Promise<RefreshTokenStore>,
): void {
  describe(`RefreshTokenStore contract: ${name}`, () => {
    it('rotates a current token and retires it', async () => {
      const store = await make();
      const [fam, h1, h2, h3] = [id('fam'), id('h1'), id('h2'), id('h3')];
      await store.create(fam, 'user-1', h1, 60_000);
      expect(await store.findFamily(h1)).toBe(fam);
      expect(await store.rotate(h1, h2, 0)).toEqual({ status: 'rotated', familyId: fam, subject: 'user-1' });
      expect(await store.findFamily(h2)).toBe(fam);
      expect(await store.rotate(h2, h3, 0)).toEqual({ status: 'rotated', familyId: fam, subject: 'user-1' });
    });

    it('revokes the whole family when a retired token is presented', async () => {
      const store = await make();
      const [fam, h1, h2, h3, h4] = [id('fam'), id('h1'), id('h2'), id('h3'), id('h4')];
      await store.create(fam, 'user-1', h1, 60_000);
      await store.rotate(h1, h2, 0);
      expect(await store.rotate(h1, h3, 0)).toEqual({ status: 'reused', familyId: fam, subject: 'user-1' });
      // The legitimate holder of h2 has lost it too, and nothing was added.
      expect(await store.rotate(h2, h4, 0)).toEqual({ status: 'revoked', familyId: fam });
      expect(await store.rotate(h3, h4, 0)).toEqual({ status: 'unknown' });
    });

    it('answers unknown for a hash it never saw', async () => {
      const store = await make();
      expect(await store.rotate(id('nope'), id('next'), 0)).toEqual({ status: 'unknown' });
      expect(await store.findFamily(id('nope'))).toBeUndefined();
    });

    it('lets exactly one of many concurrent rotations win', async () => {
      const store = await make();
      const [fam, h1] = [id('fam'), id('h1')];
      await store.create(fam, 'user-1', h1, 60_000);
      const nexts = Array.from({ length: 20 }, () => id('next'));
      const results = await Promise.all(nexts.map((n) => store.rotate(h1, n, 0)));
      const winners = results.filter((r) => r.status === 'rotated');
      expect(winners).toHaveLength(1);
      // The losers presented a token that was retired by then: reuse, family revoked (or already revoked).
      expect(results.every((r) => ['rotated', 'reused', 'revoked'].includes(r.status))).toBe(true);
      expect(results.filter((r) => r.status === 'reused')).toHaveLength(1);
    });

    it('within the grace period, lets the just-retired token add one more current token', async () => {
      const store = await make();
      const [fam, h1, h2, h3, h4] = [id('fam'), id('h1'), id('h2'), id('h3'), id('h4')];
      await store.create(fam, 'user-1', h1, 60_000);
      expect((await store.rotate(h1, h2, 30_000)).status).toBe('rotated');
      expect(await store.rotate(h1, h3, 30_000)).toEqual({
        status: 'grace',
        familyId: fam,
        subject: 'user-1',
      });
      // Both successors are current until one is used; using one retires the other.
      expect((await store.rotate(h3, h4, 30_000)).status).toBe('rotated');
      expect((await store.rotate(h2, id('h5'), 30_000)).status).toBe('reused');
    });

    it('gives grace to the most recently retired token only', async () => {
      const store = await make();
      const [fam, h1, h2, h3] = [id('fam'), id('h1'), id('h2'), id('h3')];
      await store.create(fam, 'user-1', h1, 60_000);
      await store.rotate(h1, h2, 30_000);
      await store.rotate(h2, h3, 30_000);
      expect((await store.rotate(h1, id('x'), 30_000)).status).toBe('reused');
    });

    it('refuses grace once the period has passed', async () => {
      const store = await make();
      const [fam, h1, h2] = [id('fam'), id('h1'), id('h2')];
      await store.create(fam, 'user-1', h1, 60_000);
      await store.rotate(h1, h2, 1);
      await new Promise((r) => setTimeout(r, 20));
      expect((await store.rotate(h1, id('x'), 1)).status).toBe('reused');
    });

    it('caps grace siblings at 8 current tokens', async () => {
      const store = await make();
      const [fam, h1, h2] = [id('fam'), id('h1'), id('h2')];
      await store.create(fam, 'user-1', h1, 60_000);
      await store.rotate(h1, h2, 30_000);
      const statuses: string[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await store.rotate(h1, id('g'), 30_000)).status);
      expect(statuses.slice(0, 7).every((s) => s === 'grace')).toBe(true);
      expect(statuses[7]).toBe('reused');
    });

    it('revokes a family on demand', async () => {
      const store = await make();
      const [fam, h1] = [id('fam'), id('h1')];
      await store.create(fam, 'user-1', h1, 60_000);
      await store.revokeFamily(fam);
      expect(await store.rotate(h1, id('x'), 0)).toEqual({ status: 'revoked', familyId: fam });
    });

    it('forgets a family after its lifetime', async () => {
      const store = await make();
      const [fam, h1] = [id('fam'), id('h1')];
      await store.create(fam, 'user-1', h1, 30);
      await new Promise((r) => setTimeout(r, 80));
      expect(await store.rotate(h1, id('x'), 0)).toEqual({ status: 'unknown' });
      expect(await store.findFamily(h1)).toBeUndefined();
    });
  });
}
