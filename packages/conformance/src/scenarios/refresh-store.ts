import type { RefreshTokenStore, RotateRequest } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { realClock, type StoreClock } from './store-ids.js';

let seq = 0;
/** Unique ids per run so a shared server (Redis) needs no flush between tests; `{}` must not steer slots. */
function id(label: string): string {
  seq += 1;
  return `${label}:{${process.pid.toString(36)}}:${Date.now().toString(36)}:${seq}`;
}

/** A rotation of `presented` into `next` by `clientId` (default the family's own client, `web`). */
function rotation(
  familyId: string,
  presentedHash: string,
  nextHash: string,
  more: Partial<RotateRequest> = {},
): RotateRequest {
  return {
    familyId,
    clientId: 'web',
    presentedHash,
    nextHash,
    sealedNext: `sealed-${nextHash}`,
    graceMs: 0,
    ...more,
  };
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
  clock: StoreClock = realClock,
): void {
  describe(`RefreshTokenStore contract: ${name}`, () => {
    async function family(store: RefreshTokenStore, first: string, ttlMs = 60_000): Promise<string> {
      const familyId = id('fam');
      await store.create({ familyId, subject: 'user-1', clientId: 'web', tokenHash: first, ttlMs });
      return familyId;
    }

    it('rotates the current token, counting generations', async () => {
      const store = await make();
      const [h1, h2, h3] = [id('h1'), id('h2'), id('h3')];
      const fam = await family(store, h1);
      const base = { familyId: fam, subject: 'user-1', clientId: 'web' };
      expect(await store.rotate(rotation(fam, h1, h2))).toEqual({
        status: 'rotated',
        ...base,
        generation: 1,
      });
      expect(await store.rotate(rotation(fam, h2, h3))).toEqual({
        status: 'rotated',
        ...base,
        generation: 2,
      });
    });

    it('revokes the whole family when a retired token is presented', async () => {
      const store = await make();
      const [h1, h2, h3, h4] = [id('h1'), id('h2'), id('h3'), id('h4')];
      const fam = await family(store, h1);
      await store.rotate(rotation(fam, h1, h2));
      expect(await store.rotate(rotation(fam, h1, h3))).toEqual({
        status: 'reused',
        familyId: fam,
        subject: 'user-1',
        clientId: 'web',
        generation: 1,
      });
      // The legitimate holder of h2 has lost it too, and nothing was added.
      expect(await store.rotate(rotation(fam, h2, h4))).toEqual({ status: 'revoked', familyId: fam });
    });

    it('recognises a token many generations old as reuse though only the last hash is kept', async () => {
      const store = await make();
      const hashes = Array.from({ length: 40 }, (_, i) => id(`g${i}`));
      const fam = await family(store, hashes[0]!);
      for (let i = 1; i < hashes.length; i++) {
        expect(
          (await store.rotate(rotation(fam, hashes[i - 1]!, hashes[i]!, { graceMs: 30_000 }))).status,
        ).toBe('rotated');
      }
      const old = await store.rotate(rotation(fam, hashes[3]!, id('x'), { graceMs: 30_000 }));
      expect(old).toMatchObject({ status: 'reused', generation: 39 });
      expect((await store.rotate(rotation(fam, hashes[39]!, id('y')))).status).toBe('revoked');
    });

    it('refuses a token presented by another client and revokes the family', async () => {
      const store = await make();
      const [h1, h2] = [id('h1'), id('h2')];
      const fam = await family(store, h1);
      expect(await store.rotate(rotation(fam, h1, h2, { clientId: 'mallory' }))).toEqual({
        status: 'client_mismatch',
        familyId: fam,
        subject: 'user-1',
        clientId: 'web',
      });
      // The leaked token is dead for its own client as well.
      expect(await store.rotate(rotation(fam, h1, h2))).toEqual({ status: 'revoked', familyId: fam });
    });

    it('checks the client before the grace rule', async () => {
      const store = await make();
      const [h1, h2] = [id('h1'), id('h2')];
      const fam = await family(store, h1);
      await store.rotate(rotation(fam, h1, h2, { graceMs: 30_000 }));
      const other = await store.rotate(rotation(fam, h1, id('h3'), { clientId: 'web2', graceMs: 30_000 }));
      expect(other.status).toBe('client_mismatch');
    });

    it('answers unknown for a family it never saw', async () => {
      const store = await make();
      expect(await store.rotate(rotation(id('nope'), id('h'), id('next')))).toEqual({ status: 'unknown' });
      expect(await store.revokeFamily(id('nope'))).toBe(false);
    });

    it('lets exactly one of many concurrent rotations win (strict: the others are reuse)', async () => {
      const store = await make();
      const h1 = id('h1');
      const fam = await family(store, h1);
      const nexts = Array.from({ length: 20 }, () => id('next'));
      const results = await Promise.all(nexts.map((n) => store.rotate(rotation(fam, h1, n))));
      expect(results.filter((r) => r.status === 'rotated')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'reused')).toHaveLength(1);
      expect(results.every((r) => ['rotated', 'reused', 'revoked'].includes(r.status))).toBe(true);
    });

    it('within graceMs, answers a repeat of the last rotation with the same successor', async () => {
      const store = await make();
      const [h1, h2] = [id('h1'), id('h2')];
      const fam = await family(store, h1);
      const nexts = [h2, ...Array.from({ length: 9 }, () => id('other'))];
      const results = await Promise.all(
        nexts.map((n) => store.rotate(rotation(fam, h1, n, { graceMs: 30_000 }))),
      );
      expect(results.filter((r) => r.status === 'rotated')).toHaveLength(1);
      const winner = results.find((r) => r.status === 'rotated')!;
      const winnerNext = nexts[results.indexOf(winner)]!;
      for (const r of results.filter((x) => x.status !== 'rotated')) {
        expect(r).toEqual({
          status: 'repeated',
          familyId: fam,
          subject: 'user-1',
          clientId: 'web',
          generation: 1,
          sealedNext: `sealed-${winnerNext}`,
          nextHash: winnerNext,
        });
      }
      // Nothing changed: the successor rotates normally.
      expect((await store.rotate(rotation(fam, winnerNext, id('h3'), { graceMs: 30_000 }))).status).toBe(
        'rotated',
      );
    });

    it('stops repeating once the successor has been used', async () => {
      const store = await make();
      const [h1, h2, h3] = [id('h1'), id('h2'), id('h3')];
      const fam = await family(store, h1);
      await store.rotate(rotation(fam, h1, h2, { graceMs: 30_000 }));
      await store.rotate(rotation(fam, h2, h3, { graceMs: 30_000 }));
      expect((await store.rotate(rotation(fam, h1, id('x'), { graceMs: 30_000 }))).status).toBe('reused');
    });

    it('stops repeating once graceMs has passed', async () => {
      const store = await make();
      const [h1, h2] = [id('h1'), id('h2')];
      const fam = await family(store, h1);
      await store.rotate(rotation(fam, h1, h2, { graceMs: 200 }));
      // Far beyond scheduler noise on a busy machine: 200 ms window, checked 1.2 s later.
      await clock.sleep(1_200);
      expect((await store.rotate(rotation(fam, h1, id('x'), { graceMs: 200 }))).status).toBe('reused');
    });

    it('never repeats with graceMs 0', async () => {
      const store = await make();
      const [h1, h2] = [id('h1'), id('h2')];
      const fam = await family(store, h1);
      await store.rotate(rotation(fam, h1, h2));
      expect((await store.rotate(rotation(fam, h1, id('x')))).status).toBe('reused');
    });

    it('revokes a family on demand', async () => {
      const store = await make();
      const h1 = id('h1');
      const fam = await family(store, h1);
      expect(await store.revokeFamily(fam)).toBe(true);
      expect(await store.rotate(rotation(fam, h1, id('x')))).toEqual({ status: 'revoked', familyId: fam });
    });

    it('forgets a family after its lifetime', async () => {
      const store = await make();
      const h1 = id('h1');
      const fam = await family(store, h1, 200);
      await clock.sleep(1_200);
      expect(await store.rotate(rotation(fam, h1, id('x')))).toEqual({ status: 'unknown' });
      expect(await store.revokeFamily(fam)).toBe(false);
    });
  });
}
