import type { BucketRule, ConsumeResult, RateLimitStore } from '../stores/types.js';

/** One bucket charge sent to a store. */
export interface StoreEntry {
  key: string;
  rule: BucketRule;
  cost: number;
}

/** The store did not answer in time. */
export class StoreTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`store did not answer within ${timeoutMs} ms`);
    this.name = 'StoreTimeout';
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/**
 * Charge the buckets in a (network) store within `timeoutMs`. Uses `consumeAll` when the store has it
 * (all-or-nothing); otherwise charges in order and stops at the first refusal, which cannot undo the
 * earlier charges. A reply of the wrong shape is a failure, never an answer.
 *
 * @example
 * const results = await consumeWithTimeout(store, entries, 200);
 */
export async function consumeWithTimeout(
  store: RateLimitStore,
  entries: StoreEntry[],
  timeoutMs: number,
): Promise<readonly ConsumeResult[]> {
  const work =
    store.consumeAll !== undefined
      ? store.consumeAll(entries)
      : (async () => {
          const out: ConsumeResult[] = [];
          for (const e of entries) {
            const r = await store.consume(e.key, e.rule, e.cost);
            out.push(r);
            if (r?.allowed !== true) break;
          }
          return out;
        })();
  // A late rejection after the timeout must not surface as an unhandled rejection.
  work.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeout(timeoutMs)), timeoutMs);
  });
  let results: readonly ConsumeResult[];
  try {
    results = await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (!Array.isArray(results) || results.length === 0 || results.length > entries.length) {
    throw new Error('store returned a malformed result');
  }
  for (const r of results) {
    if (
      typeof r?.allowed !== 'boolean' ||
      !isNumber(r.remaining) ||
      !isNumber(r.retryAfterMs) ||
      !isNumber(r.resetMs)
    ) {
      throw new Error('store returned a malformed result');
    }
  }
  return results;
}
