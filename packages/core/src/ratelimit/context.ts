import type { RateLimitContext } from './buckets.js';

/**
 * What every adapter's rate-limit hook takes beyond the limiter's own options, for a framework whose
 * request is `Req`.
 *
 * @example
 * type ExpressRateLimitOptions = RateLimitHookOptions<Request>;
 */
export interface RateLimitHookOptions<Req> {
  /**
   * What the limiter knows about the request (API keys, a subject of your own…). Default: the claims the
   * adapter's `requireJwt()` verified and the route pattern the request matched.
   */
  context?: (request: Req) => RateLimitContext;
}

/**
 * The context a rate limit counts a request with when the app gives none: the verified claims (subject
 * and tiers) and the matched route pattern for `perRoute` buckets. Anything but a non-empty string is no
 * route: never the raw path, which would make a bucket per URL.
 *
 * @example
 * const context = defaultRateLimitContext(req.auth, req.route?.path);
 */
export function defaultRateLimitContext(claims: unknown, route: unknown): RateLimitContext {
  return {
    claims:
      typeof claims === 'object' && claims !== null
        ? (claims as Readonly<Record<string, unknown>>)
        : undefined,
    route: typeof route === 'string' && route !== '' ? route : undefined,
  };
}
