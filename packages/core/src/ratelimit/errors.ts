import { SecurityError } from '../errors.js';
import type { HeaderList } from '../verdict.js';

/**
 * The rate-limit denials. `limited` is the template: each 429 carries its own `Retry-After` and `RateLimit`
 * headers (see {@link limitedError}); `storeUnavailable` is shared.
 *
 * @example
 * if (!verdict.ok && verdict.error.code === RATELIMIT_ERRORS.limited.code) metrics.limited++;
 */
export const RATELIMIT_ERRORS = {
  limited: new SecurityError({
    code: 'RATELIMIT_EXCEEDED',
    status: 429,
    message: 'Too many requests; retry after the time given in Retry-After.',
  }),
  storeUnavailable: new SecurityError({
    code: 'RATELIMIT_STORE_UNAVAILABLE',
    status: 503,
    message: 'The service is temporarily unable to accept requests.',
    headers: [['retry-after', '1']],
  }),
  clientIpUnknown: new SecurityError({
    code: 'RATELIMIT_CLIENT_IP_UNKNOWN',
    status: 500,
    message: 'The server cannot tell clients apart, so it refuses requests it would have to count together.',
  }),
} as const;

// Denials under attack repeat the same few header sets; reusing the error also reuses its rendered body.
const cache = new Map<string, SecurityError>();
const CACHE_MAX = 1024;

/**
 * The 429 for a given set of headers, shared between identical denials.
 *
 * @example
 * limitedError([['retry-after', '3'], ['ratelimit', '"ip";r=0;t=60']], key)
 */
export function limitedError(headers: HeaderList, cacheKey: string): SecurityError {
  let error = cache.get(cacheKey);
  if (error === undefined) {
    if (cache.size >= CACHE_MAX) cache.clear();
    const t = RATELIMIT_ERRORS.limited;
    error = new SecurityError({ code: t.code, status: t.status, message: t.message, headers });
    cache.set(cacheKey, error);
  }
  return error;
}
