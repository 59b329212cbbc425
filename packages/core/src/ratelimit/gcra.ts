import type { BucketRule, ConsumeResult } from '../stores/types.js';

/** A GCRA decision plus the theoretical arrival time to store (unchanged when denied). */
export interface GcraStep extends ConsumeResult {
  /** Theoretical arrival time (epoch ms) to keep for the key; it is also when the entry may be forgotten. */
  readonly tat: number;
}

// Slack for floating point, in milliseconds: intervals such as 60000/7 ms are not exact. Absolute, not a
// fraction of the interval: 1e-6 of a one-hour interval is 3.6 ms, which admitted a request (and reported a
// unit back) up to 3.6 ms before the `t` the headers announced. 1 µs is far above the rounding error of
// epoch-millisecond doubles (~0.2 µs) and far below any clock a client can observe.
const SLACK_MS = 1e-3;

/**
 * Whole units that fit in `room` ms of a bucket, with the slack for float error, never more than `most` (the
 * burst, less the cost just taken): at an interval below the slack (rates above 60 million a minute) the
 * slack alone would count as units and `remaining` would exceed the limit.
 */
function unitsLeft(room: number, interval: number, most: number): number {
  return Math.max(0, Math.min(most, Math.floor((room + SLACK_MS) / interval)));
}

/**
 * One step of the Generic Cell Rate Algorithm. `tat` is the key's stored theoretical arrival time (or
 * undefined when absent/expired). The bucket allows `burst` requests at once and then one per `intervalMs`.
 * Pure: stores (memory, Redis/Lua) apply it atomically. A stored time further ahead than the whole burst
 * (the clock went backwards) is clamped, so a clock jump can never lock a key out for longer than a full
 * refill.
 *
 * @example
 * const step = gcra(undefined, Date.now(), { intervalMs: 600, burst: 100 }, 1);
 * step.allowed // true; step.remaining === 99
 */
export function gcra(tat: number | undefined, now: number, rule: BucketRule, cost: number): GcraStep {
  const interval = rule.intervalMs;
  const capacity = rule.burst * interval;
  let base = tat === undefined || tat < now ? now : tat;
  if (base - now > capacity) base = now + capacity;
  const next = base + cost * interval;
  const ahead = next - now;
  if (ahead - capacity > SLACK_MS) {
    const used = base - now;
    return {
      allowed: false,
      remaining: unitsLeft(capacity - used, interval, rule.burst),
      retryAfterMs: ahead - capacity,
      resetMs: used,
      tat: base,
    };
  }
  return {
    allowed: true,
    remaining: unitsLeft(capacity - ahead, interval, rule.burst - cost),
    retryAfterMs: 0,
    resetMs: ahead,
    tat: next,
  };
}

/**
 * Milliseconds until the bucket of `result` holds one more unit than `result.remaining`: the `t` of the
 * RateLimit field (draft-ietf-httpapi-ratelimit-headers-10 §4.1.2, "until additional quota … is made
 * available"), not the time until the bucket is full. Undefined when the bucket is full: no more quota
 * will be made available. On a denial it is never later than `retryAfterMs`, which waits for the whole
 * cost of the request (draft §6: Retry-After must not be earlier than `t`).
 *
 * @example
 * nextUnitMs({ allowed: false, remaining: 0, retryAfterMs: 30_000, resetMs: 60_000 }, { intervalMs: 30_000, burst: 2 }) // 30000
 */
export function nextUnitMs(result: ConsumeResult, rule: BucketRule): number | undefined {
  if (result.remaining >= rule.burst) return undefined;
  // `resetMs` is when all of the missing burst - remaining units are back; the next one is back that many
  // intervals minus one earlier. gcra() admits a unit SLACK_MS early (float rounding), so the unit counts
  // as back SLACK_MS before the exact instant: when that instant is a whole second plus rounding noise
  // (6000.0000001 ms), t must say 6, not 7, or a unit is back a whole second before the announced t.
  const ms = result.resetMs - (rule.burst - result.remaining - 1) * rule.intervalMs - SLACK_MS;
  return Math.min(result.resetMs, Math.max(0, ms));
}
