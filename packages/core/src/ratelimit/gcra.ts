import type { BucketRule, ConsumeResult } from '../stores/types.js';

/** A GCRA decision plus the theoretical arrival time to store (unchanged when denied). */
export interface GcraStep extends ConsumeResult {
  /** Theoretical arrival time (epoch ms) to keep for the key; it is also when the entry may be forgotten. */
  readonly tat: number;
}

// Slack for floating point: intervals such as 60000/7 ms are not exact.
const EPSILON = 1e-6;

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
  if (ahead - capacity > EPSILON * interval) {
    const used = base - now;
    return {
      allowed: false,
      remaining: Math.max(0, Math.floor((capacity - used) / interval + EPSILON)),
      retryAfterMs: ahead - capacity,
      resetMs: used,
      tat: base,
    };
  }
  return {
    allowed: true,
    remaining: Math.max(0, Math.floor((capacity - ahead) / interval + EPSILON)),
    retryAfterMs: 0,
    resetMs: ahead,
    tat: next,
  };
}
