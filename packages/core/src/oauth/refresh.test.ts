import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import { createMemoryRefreshTokenStore } from '../stores/memory-refresh.js';
import type { RefreshTokenStore } from '../stores/types.js';
import { createRefreshTokenRotator } from './refresh.js';

/** Records everything the store receives, to prove no raw token reaches it. */
function recordingStore(): { store: RefreshTokenStore; seen: unknown[] } {
  const inner = createMemoryRefreshTokenStore();
  const seen: unknown[] = [];
  return {
    seen,
    store: {
      create: (family) => {
        seen.push(family);
        return inner.create(family);
      },
      rotate: (request) => {
        seen.push(request);
        return inner.rotate(request);
      },
      revokeFamily: (f) => inner.revokeFamily(f),
    },
  };
}

function code(v: { ok: boolean; error?: { code: string } | undefined }): string | undefined {
  return v.ok ? undefined : v.error?.code;
}

function tokenOf(v: { ok: boolean; value?: { token: string } }): string {
  if (!v.ok || v.value === undefined) throw new Error('rotation refused');
  return v.value.token;
}

describe('createRefreshTokenRotator', () => {
  it('issues opaque 384-bit tokens and gives the store only hashes and sealed values', async () => {
    const { store, seen } = recordingStore();
    const rotator = createRefreshTokenRotator({ store });
    const issued = await rotator.issue('user-1', 'web');
    expect(issued.token).toMatch(/^[\w-]{64}$/);
    expect(issued.clientId).toBe('web');
    const next = await rotator.rotate(issued.token, 'web');
    expect(next.ok && next.value).toMatchObject({
      subject: 'user-1',
      clientId: 'web',
      familyId: issued.familyId,
    });
    const nextToken = tokenOf(next);
    expect(nextToken).not.toBe(issued.token);
    const everything = JSON.stringify(seen);
    for (const t of [issued.token, nextToken]) {
      expect(everything).not.toContain(t);
      // Not even the random part of a token (the family key part is shared, so look at the rest).
      expect(everything).not.toContain(t.slice(22));
    }
  });

  it('revokes the whole family on reuse and reports it', async () => {
    const events: SecurityEvent[] = [];
    const rotator = createRefreshTokenRotator({
      store: createMemoryRefreshTokenStore(),
      onEvent: (e) => events.push(e),
    });
    const first = await rotator.issue('user-1', 'web');
    const second = tokenOf(await rotator.rotate(first.token, 'web'));
    const third = tokenOf(await rotator.rotate(second, 'web'));
    // An attacker replays the stolen first token, two generations old.
    const replay = await rotator.rotate(first.token, 'web');
    expect(code(replay)).toBe('OAUTH_REFRESH_REUSED');
    if (!replay.ok) expect(replay.error?.status).toBe(400);
    const reuse = events.find((e) => e.type === 'refresh.reuse_detected');
    expect(reuse?.data).toEqual({
      familyId: first.familyId,
      subject: 'user-1',
      clientId: 'web',
      generation: 2,
    });
    expect(JSON.stringify(events)).not.toContain(first.token);
    // The user's current token is gone too.
    expect(code(await rotator.rotate(third, 'web'))).toBe('OAUTH_REFRESH_INVALID');
  });

  it('binds a family to its client: a token presented by another client is refused and the family revoked', async () => {
    const events: SecurityEvent[] = [];
    const rotator = createRefreshTokenRotator({
      store: createMemoryRefreshTokenStore(),
      onEvent: (e) => events.push(e),
    });
    const issued = await rotator.issue('user-1', 'client-a');
    const stolen = await rotator.rotate(issued.token, 'client-b');
    expect(code(stolen)).toBe('OAUTH_REFRESH_CLIENT_MISMATCH');
    if (!stolen.ok) expect(stolen.error?.status).toBe(400);
    const event = events.find((e) => e.type === 'refresh.client_mismatch');
    expect(event?.data).toEqual({ familyId: issued.familyId, subject: 'user-1', clientId: 'client-a' });
    expect(code(await rotator.rotate(issued.token, 'client-a'))).toBe('OAUTH_REFRESH_INVALID');
  });

  it('refuses a rotation without a client to check (bad input, not a crash)', async () => {
    const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore() });
    const issued = await rotator.issue('user-1', 'web');
    for (const client of [undefined, '', 42]) {
      expect(code(await rotator.rotate(issued.token, client as string))).toBe('OAUTH_REFRESH_INVALID');
    }
    expect((await rotator.rotate(issued.token, 'web')).ok).toBe(true);
    await expect(rotator.issue('user-1', '')).rejects.toThrow(TypeError);
  });

  it('strict (graceMs 0): N concurrent uses of one token give exactly one new token, the rest is reuse', async () => {
    const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore(), graceMs: 0 });
    const { token } = await rotator.issue('user-1', 'web');
    const results = await Promise.all(Array.from({ length: 25 }, () => rotator.rotate(token, 'web')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = results.find((r) => r.ok);
    if (winner?.ok) expect((await rotator.rotate(winner.value.token, 'web')).ok).toBe(false);
  });

  it('default: a retry of the token just used gets the same successor while that successor is unused', async () => {
    const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore() });
    const { token } = await rotator.issue('user-1', 'web');
    const results = await Promise.all(Array.from({ length: 10 }, () => rotator.rotate(token, 'web')));
    const tokens = new Set(results.map(tokenOf));
    expect(tokens.size).toBe(1);
    const [successor] = [...tokens] as [string];
    const after = tokenOf(await rotator.rotate(successor, 'web'));
    // The successor was used: the old token is now reuse, and the family goes.
    expect(code(await rotator.rotate(token, 'web'))).toBe('OAUTH_REFRESH_REUSED');
    expect(code(await rotator.rotate(after, 'web'))).toBe('OAUTH_REFRESH_INVALID');
  });

  it('never repeats after graceMs', async () => {
    let now = 1_700_000_000_000;
    const rotator = createRefreshTokenRotator({
      store: createMemoryRefreshTokenStore({ now: () => now }),
      graceMs: 5_000,
    });
    const { token } = await rotator.issue('user-1', 'web');
    await rotator.rotate(token, 'web');
    now += 5_001;
    expect(code(await rotator.rotate(token, 'web'))).toBe('OAUTH_REFRESH_REUSED');
  });

  it('a family rotating in a loop takes one memory entry: other users can still sign in', async () => {
    const store = createMemoryRefreshTokenStore({ maxEntries: 10 });
    const rotator = createRefreshTokenRotator({ store, graceMs: 0 });
    const first = (await rotator.issue('looper', 'web')).token;
    let token = first;
    for (let i = 0; i < 2_000; i++) token = tokenOf(await rotator.rotate(token, 'web'));
    for (let i = 0; i < 9; i++) await rotator.issue(`user-${i}`, 'web');
    await expect(rotator.issue('one-too-many', 'web')).rejects.toThrow(/full/i);
    // A token 2 000 generations old is still recognised as the family's: reuse, not "unknown".
    expect(code(await rotator.rotate(first, 'web'))).toBe('OAUTH_REFRESH_REUSED');
  });

  it('refuses unknown, malformed and logged-out tokens', async () => {
    const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore() });
    expect(code(await rotator.rotate(undefined, 'web'))).toBe('OAUTH_REFRESH_INVALID');
    expect(code(await rotator.rotate('x'.repeat(64), 'web'))).toBe('OAUTH_REFRESH_INVALID');
    expect(code(await rotator.rotate('not a token', 'web'))).toBe('OAUTH_REFRESH_INVALID');
    const { token } = await rotator.issue('user-1', 'web');
    for (const bad of [` ${token}`, `${token}=`, token.slice(1), `${token}A`, [token], { token }]) {
      expect(code(await rotator.rotate(bad as string, 'web'))).toBe('OAUTH_REFRESH_INVALID');
    }
    expect(await rotator.revoke(token)).toBe(true);
    expect(code(await rotator.rotate(token, 'web'))).toBe('OAUTH_REFRESH_INVALID');
    expect(await rotator.revoke('y'.repeat(64))).toBe(false);
  });

  it('never hands out a stored successor that does not open to the current token', async () => {
    const inner = createMemoryRefreshTokenStore();
    const store: RefreshTokenStore = {
      ...inner,
      async rotate(request) {
        const r = await inner.rotate(request);
        return r.status === 'repeated' ? { ...r, sealedNext: request.sealedNext } : r;
      },
    };
    const rotator = createRefreshTokenRotator({ store });
    const { token } = await rotator.issue('user-1', 'web');
    expect((await rotator.rotate(token, 'web')).ok).toBe(true);
    expect(code(await rotator.rotate(token, 'web'))).toBe('OAUTH_STORE_UNAVAILABLE');
  });

  it('fails closed when the store fails', async () => {
    const broken: RefreshTokenStore = {
      create: () => Promise.resolve(),
      rotate: () => Promise.reject(new Error('connection reset')),
      revokeFamily: () => Promise.resolve(false),
    };
    const rotator = createRefreshTokenRotator({ store: broken });
    const { token } = await rotator.issue('user-1', 'web');
    const v = await rotator.rotate(token, 'web');
    expect(code(v)).toBe('OAUTH_STORE_UNAVAILABLE');
    if (!v.ok) expect(v.error?.status).toBe(503);
  });

  it('refuses unsafe configuration', () => {
    const store = createMemoryRefreshTokenStore();
    for (const make of [
      () => createRefreshTokenRotator({} as never),
      () => createRefreshTokenRotator({ store, graceMs: 3_600_000 }),
      () => createRefreshTokenRotator({ store, graceMs: -1 }),
      () => createRefreshTokenRotator({ store, graceMs: Number.NaN }),
      () => createRefreshTokenRotator({ store, familyTtlMs: 1000 }),
    ]) {
      try {
        make();
        expect.unreachable();
      } catch (e) {
        expect(isConfigError(e)).toBe(true);
      }
    }
  });
});
