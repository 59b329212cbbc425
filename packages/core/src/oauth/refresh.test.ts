import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import { createMemoryRefreshTokenStore } from '../stores/memory-refresh.js';
import type { RefreshTokenStore } from '../stores/types.js';
import { createRefreshTokenRotator } from './refresh.js';

/** Records every hash the store receives, to prove no raw token reaches it. */
function recordingStore(): { store: RefreshTokenStore; seen: string[] } {
  const inner = createMemoryRefreshTokenStore();
  const seen: string[] = [];
  return {
    seen,
    store: {
      create: (f, s, h, t) => {
        seen.push(h);
        return inner.create(f, s, h, t);
      },
      rotate: (p, n, g) => {
        seen.push(p, n);
        return inner.rotate(p, n, g);
      },
      findFamily: (h) => {
        seen.push(h);
        return inner.findFamily(h);
      },
      revokeFamily: (f) => inner.revokeFamily(f),
    },
  };
}

function code(v: { ok: boolean; error?: { code: string } }): string | undefined {
  return v.ok ? undefined : v.error?.code;
}

describe('createRefreshTokenRotator', () => {
  it('issues opaque 256-bit tokens and stores only their hashes', async () => {
    const { store, seen } = recordingStore();
    const rotator = createRefreshTokenRotator({ store });
    const issued = await rotator.issue('user-1');
    expect(issued.token).toMatch(/^[\w-]{43}$/);
    const next = await rotator.rotate(issued.token);
    expect(next.ok).toBe(true);
    if (!next.ok) return;
    expect(next.value.subject).toBe('user-1');
    expect(next.value.familyId).toBe(issued.familyId);
    expect(next.value.token).not.toBe(issued.token);
    expect(seen).not.toContain(issued.token);
    expect(seen).not.toContain(next.value.token);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('revokes the whole family on reuse and reports it', async () => {
    const events: SecurityEvent[] = [];
    const rotator = createRefreshTokenRotator({
      store: createMemoryRefreshTokenStore(),
      onEvent: (e) => events.push(e),
    });
    const first = await rotator.issue('user-1');
    const second = await rotator.rotate(first.token);
    if (!second.ok) throw new Error('rotation failed');
    // An attacker replays the stolen first token.
    const replay = await rotator.rotate(first.token);
    expect(code(replay)).toBe('OAUTH_REFRESH_REUSED');
    if (!replay.ok) expect(replay.error.status).toBe(400);
    const reuse = events.find((e) => e.type === 'refresh.reuse_detected');
    expect(reuse?.data).toEqual({ familyId: first.familyId, subject: 'user-1' });
    expect(JSON.stringify(events)).not.toContain(first.token);
    // The user's current token is gone too.
    expect(code(await rotator.rotate(second.value.token))).toBe('OAUTH_REFRESH_INVALID');
  });

  it('turns N concurrent uses of one token into exactly one new token', async () => {
    const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore() });
    const { token } = await rotator.issue('user-1');
    const results = await Promise.all(Array.from({ length: 25 }, () => rotator.rotate(token)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    // The losers count as reuse: the family is revoked, so even the winner's token no longer works.
    const winner = results.find((r) => r.ok);
    if (winner?.ok) expect((await rotator.rotate(winner.value.token)).ok).toBe(false);
  });

  it('with a grace period, lets a client retry the token it just used', async () => {
    const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore(), graceMs: 10_000 });
    const { token } = await rotator.issue('user-1');
    const [a, b] = await Promise.all([rotator.rotate(token), rotator.rotate(token)]);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.value.token).not.toBe(b.value.token);
    expect((await rotator.rotate(b.value.token)).ok).toBe(true);
    // The sibling the client dropped is now retired: presenting it is reuse.
    expect(code(await rotator.rotate(a.value.token))).toBe('OAUTH_REFRESH_REUSED');
  });

  it('refuses unknown, malformed and logged-out tokens', async () => {
    const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore() });
    expect(code(await rotator.rotate(undefined))).toBe('OAUTH_REFRESH_INVALID');
    expect(code(await rotator.rotate('x'.repeat(43)))).toBe('OAUTH_REFRESH_INVALID');
    expect(code(await rotator.rotate('not a token'))).toBe('OAUTH_REFRESH_INVALID');
    const { token } = await rotator.issue('user-1');
    expect(await rotator.revoke(token)).toBe(true);
    expect(code(await rotator.rotate(token))).toBe('OAUTH_REFRESH_INVALID');
    expect(await rotator.revoke('y'.repeat(43))).toBe(false);
  });

  it('refuses a re-encoded alias of a live token without consuming the real one', async () => {
    const rotator = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore() });
    const { token } = await rotator.issue('user-1');
    // 32 bytes in 43 characters leave 2 unused bits in the last one: flip them for the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token[42]!);
    const alias = token.slice(0, 42) + alphabet[last ^ 1];
    expect(Buffer.from(alias, 'base64url')).toEqual(Buffer.from(token, 'base64url'));
    for (const bad of [alias, ` ${token}`, `${token}=`, token.replace(/-/g, '+'), [token], { token }]) {
      if (bad === token.replace(/-/g, '+') && !token.includes('-')) continue;
      expect(code(await rotator.rotate(bad as string))).toBe('OAUTH_REFRESH_INVALID');
    }
    expect((await rotator.rotate(token)).ok).toBe(true);
  });

  it('fails closed when the store fails', async () => {
    const broken: RefreshTokenStore = {
      create: () => Promise.resolve(),
      rotate: () => Promise.reject(new Error('connection reset')),
      findFamily: () => Promise.resolve(undefined),
      revokeFamily: () => Promise.resolve(),
    };
    const rotator = createRefreshTokenRotator({ store: broken });
    const { token } = await rotator.issue('user-1');
    const v = await rotator.rotate(token);
    expect(code(v)).toBe('OAUTH_STORE_UNAVAILABLE');
    if (!v.ok) expect(v.error.status).toBe(503);
  });

  it('refuses unsafe configuration', () => {
    const store = createMemoryRefreshTokenStore();
    for (const make of [
      () => createRefreshTokenRotator({} as never),
      () => createRefreshTokenRotator({ store, graceMs: 3_600_000 }),
      () => createRefreshTokenRotator({ store, graceMs: -1 }),
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
