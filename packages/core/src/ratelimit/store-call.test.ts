import { describe, expect, it } from 'vitest';
import type { ConsumeResult, RateLimitStore } from '../stores/types.js';
import { consumeWithTimeout, StoreTimeout } from './store-call.js';

const rule = { intervalMs: 1000, burst: 1 };
const yes: ConsumeResult = { allowed: true, remaining: 0, retryAfterMs: 0, resetMs: 1000 };
const no: ConsumeResult = { allowed: false, remaining: 0, retryAfterMs: 500, resetMs: 1000 };
const entries = () => [
  { key: 'a', rule, cost: 1 },
  { key: 'b', rule, cost: 1 },
  { key: 'c', rule, cost: 1 },
];

describe('consumeWithTimeout', () => {
  it('without consumeAll, charges in order and stops at the first refusal', async () => {
    const seen: string[] = [];
    const store: RateLimitStore = {
      async consume(key) {
        seen.push(key);
        return key === 'b' ? no : yes;
      },
    };
    const results = await consumeWithTimeout(store, entries(), 100);
    expect(results.map((r) => r.allowed)).toEqual([true, false]);
    expect(seen).toEqual(['a', 'b']);
  });

  it('refuses replies of the wrong shape', async () => {
    const replies: unknown[] = [
      [],
      [yes, yes, yes, yes],
      [{ ...yes, remaining: Number.NaN }],
      [{ allowed: 'yes' }],
      'OK',
      [null],
    ];
    for (const reply of replies) {
      const store: RateLimitStore = {
        consume: async () => yes,
        consumeAll: async () => reply as ConsumeResult[],
      };
      await expect(consumeWithTimeout(store, entries(), 100), JSON.stringify(reply)).rejects.toThrow(
        /malformed/,
      );
    }
  });

  it('gives up after the timeout without an unhandled rejection from the late reply', async () => {
    let rejectLate: (e: Error) => void = () => {};
    const store: RateLimitStore = {
      consume: () =>
        new Promise((_, reject) => {
          rejectLate = reject;
        }),
    };
    await expect(consumeWithTimeout(store, entries(), 10)).rejects.toBeInstanceOf(StoreTimeout);
    rejectLate(new Error('late'));
  });
});
