import { isConfigError } from '@bulwark/core';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisReplayStore } from './index.js';
import { tagged } from './options.js';

// Never connects: lazyConnect and no command sent. Only construction-time checks run here.
const client = new Redis({ lazyConnect: true });

function configOption(make: () => unknown): string {
  try {
    make();
  } catch (err) {
    if (isConfigError(err)) return err.option;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('store options', () => {
  it('refuses a missing client, a prefix that could pick the hash tag, and unbounded timeouts', () => {
    expect(configOption(() => createRedisReplayStore({ client: undefined as never }))).toBe(
      'stores.replay.client',
    );
    expect(configOption(() => createRedisReplayStore({ client, prefix: 'app}{x' }))).toBe(
      'stores.replay.prefix',
    );
    expect(configOption(() => createRedisReplayStore({ client, prefix: '' }))).toBe('stores.replay.prefix');
    expect(configOption(() => createRedisReplayStore({ client, timeoutMs: 0 }))).toBe(
      'stores.replay.timeoutMs',
    );
    expect(configOption(() => createRedisReplayStore({ client, timeoutMs: 1.5 }))).toBe(
      'stores.replay.timeoutMs',
    );
    expect(configOption(() => createRedisReplayStore({ client, timeoutMs: 600_000 }))).toBe(
      'stores.replay.timeoutMs',
    );
  });
});

describe('tagged', () => {
  it('yields exactly one hash tag whatever braces the key holds, and keeps distinct keys distinct', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const ta = tagged(a);
        expect(ta.startsWith('{') && ta.endsWith('}')).toBe(true);
        expect(ta.slice(1, -1)).not.toMatch(/[{}]/);
        if (a !== b) expect(tagged(b)).not.toBe(ta);
      }),
    );
  });
});
