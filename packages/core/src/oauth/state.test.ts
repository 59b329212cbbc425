import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import { createMemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore } from '../stores/types.js';
import { createStateCodec } from './state.js';

const SECRET = 'state-secret-for-tests-0123456789abcdef';
const OTHER = 'another-secret-for-tests-0123456789abcdef';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function errorCode(v: { ok: boolean; error?: { code: string } | undefined }): string | undefined {
  return v.ok ? undefined : v.error?.code;
}

describe('createStateCodec', () => {
  it('round-trips a state for the same session', async () => {
    const codec = createStateCodec({ secret: SECRET });
    const state = await codec.issue('session-a');
    expect(state).toMatch(/^1\.[0-9a-z]+\.[\w-]{22}\.[\w-]{43}$/);
    const v = await codec.verify(state, 'session-a');
    expect(v.ok).toBe(true);
  });

  it('refuses a state issued for another session', async () => {
    const events: SecurityEvent[] = [];
    const codec = createStateCodec({ secret: SECRET, onEvent: (e) => events.push(e) });
    const state = await codec.issue('session-a');
    expect(errorCode(await codec.verify(state, 'session-b'))).toBe('OAUTH_STATE_INVALID');
    expect(events[0]?.type).toBe('oauth.state_rejected');
    expect(JSON.stringify(events)).not.toContain(state);
  });

  it('refuses missing, malformed and tampered states', async () => {
    const codec = createStateCodec({ secret: SECRET });
    const state = await codec.issue('s');
    expect(errorCode(await codec.verify(undefined, 's'))).toBe('OAUTH_STATE_INVALID');
    expect(errorCode(await codec.verify('', 's'))).toBe('OAUTH_STATE_INVALID');
    expect(errorCode(await codec.verify('abc', 's'))).toBe('OAUTH_STATE_INVALID');
    const parts = state.split('.');
    const later = [parts[0], (Number.parseInt(parts[1]!, 36) + 1).toString(36), parts[2], parts[3]].join('.');
    expect(errorCode(await codec.verify(later, 's'))).toBe('OAUTH_STATE_INVALID');
    const flipped = state.slice(0, -2) + (state.at(-2) === 'A' ? 'B' : 'A') + state.at(-1);
    expect(errorCode(await codec.verify(flipped, 's'))).toBe('OAUTH_STATE_INVALID');
  });

  it('refuses a state signed with a secret it does not know, accepts rotated ones', async () => {
    const old = createStateCodec({ secret: OTHER });
    const rotated = createStateCodec({ secret: [SECRET, OTHER] });
    const current = createStateCodec({ secret: SECRET });
    const fromOld = await old.issue('s');
    expect((await rotated.verify(fromOld, 's')).ok).toBe(true);
    expect(errorCode(await current.verify(fromOld, 's'))).toBe('OAUTH_STATE_INVALID');
    // The first secret signs.
    expect((await current.verify(await rotated.issue('s'), 's')).ok).toBe(true);
  });

  it('refuses a state older than maxAge and one from the future', async () => {
    const c = clock();
    const codec = createStateCodec({ secret: SECRET, maxAgeMs: 60_000, now: c.now });
    const state = await codec.issue('s');
    c.advance(60_000);
    expect((await codec.verify(state, 's')).ok).toBe(true);
    c.advance(1);
    expect(errorCode(await codec.verify(state, 's'))).toBe('OAUTH_STATE_EXPIRED');
    c.advance(-200_000);
    expect(errorCode(await codec.verify(state, 's'))).toBe('OAUTH_STATE_INVALID');
  });

  it('consumes a state once when a replay store is configured; verify writes nothing', async () => {
    const codec = createStateCodec({ secret: SECRET, replayStore: createMemoryReplayStore() });
    const state = await codec.issue('s');
    expect(errorCode(await codec.consume(state, 'other'))).toBe('OAUTH_STATE_INVALID');
    for (let i = 0; i < 3; i++) expect((await codec.verify(state, 's')).ok).toBe(true);
    expect((await codec.consume(state, 's')).ok).toBe(true);
    expect(errorCode(await codec.consume(state, 's'))).toBe('OAUTH_STATE_REPLAYED');
  });

  it('verify never takes a replay-store entry, so anonymous callers cannot fill the store', async () => {
    const replayStore = createMemoryReplayStore({ maxEntries: 3 });
    const codec = createStateCodec({ secret: SECRET, replayStore });
    for (let i = 0; i < 50; i++) {
      const session = `anonymous-${i}`;
      expect((await codec.verify(await codec.issue(session), session)).ok).toBe(true);
    }
    const state = await codec.issue('real');
    expect((await codec.consume(state, 'real')).ok).toBe(true);
  });

  it('fails closed when the replay store fails', async () => {
    const broken: ReplayStore = {
      claim: () => Promise.reject(new Error('down')),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(true),
    };
    const codec = createStateCodec({ secret: SECRET, replayStore: broken });
    const v = await codec.consume(await codec.issue('s'), 's');
    expect(errorCode(v)).toBe('OAUTH_STORE_UNAVAILABLE');
  });

  it('refuses weak configuration', () => {
    const bad = [
      () => createStateCodec({ secret: 'short' }),
      () => createStateCodec({ secret: [] }),
      () => createStateCodec({ secret: [SECRET, 'short'] }),
      () => createStateCodec({ secret: SECRET, maxAgeMs: 86_400_000 }),
      () => createStateCodec({ secret: SECRET, maxAgeMs: 0 }),
    ];
    for (const make of bad) {
      try {
        make();
        expect.unreachable();
      } catch (e) {
        expect(isConfigError(e)).toBe(true);
      }
    }
  });

  it('never accepts an arbitrary string or any single-character edit (property)', async () => {
    const codec = createStateCodec({ secret: SECRET });
    const state = await codec.issue('s');
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 120 }), async (s) => {
        fc.pre(s !== state);
        expect((await codec.verify(s, 's')).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: state.length - 1 }),
        fc.constantFrom(...'ABCxyz019-_.'),
        async (i, ch) => {
          const edited = state.slice(0, i) + ch + state.slice(i + 1);
          fc.pre(edited !== state);
          expect((await codec.verify(edited, 's')).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
