// Options written for express-rate-limit or @fastify/rate-limit get a message in their own terms.
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { createRateLimiter, type RateLimiterOptions } from './limiter.js';

const refusal = (options: unknown): { option: string; message: string } => {
  try {
    createRateLimiter(options as RateLimiterOptions);
  } catch (error) {
    if (isConfigError(error)) return { option: error.option, message: error.message };
    throw error;
  }
  throw new Error('accepted');
};

describe('express-rate-limit-style options', () => {
  it.each([
    [
      { windowMs: 60_000, limit: 100 },
      'ratelimit.windowMs',
      "rate: { limit: 100, windowMs: 60000 } (or rate: '100/min')",
    ],
    [{ windowMs: 900_000, max: 5 }, 'ratelimit.windowMs', 'rate: { limit: 5, windowMs: 900000 }'],
    [{ limit: 10 }, 'ratelimit.limit', "rate: { limit: 10, windowMs: 60000 } (or rate: '10/min')"],
    [
      { timeWindow: '1 minute', max: 50 },
      'ratelimit.timeWindow',
      'rate: { limit: 50, windowMs: <the window in ms> }',
    ],
  ])('%j names what was written and the bulwark option', (options, option, suggestion) => {
    const r = refusal(options);
    expect(r.option).toBe(option);
    expect(r.message).toContain("express-rate-limit's shape");
    expect(r.message).toContain(suggestion);
    expect(r.message).not.toContain('buckets[0]');
  });

  it('takes the suggested option as it is', () => {
    expect(createRateLimiter({ rate: { limit: 100, windowMs: 60_000 } }).check).toBeTypeOf('function');
  });
});
