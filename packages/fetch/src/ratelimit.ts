import {
  createRateLimiter,
  defaultRateLimitContext,
  type RateLimitContext,
  type RateLimiter,
  type RateLimitInfo,
  type RateLimiterOptions,
  ruleFor,
  type Verdict,
  withHeaders,
} from '@bulwark/core';
import { replyResponse } from './reply.js';
import { synchronousCheck } from '@bulwark/core/toolkit';
import { admit, type Stage, type StageState } from './pipeline.js';

/**
 * The `rateLimit` entry of a protect policy: limiter options, a limiter, or a limiter with the route
 * pattern this handler serves and an optional context function (API keys…).
 */
export type RateLimitPolicy =
  | RateLimiterOptions
  | RateLimiter
  | {
      limiter: RateLimiterOptions | RateLimiter;
      /** Route pattern of the protected handler, for `perRoute` buckets. */
      route?: string;
      /** What the limiter knows about the request; default: subject and claims from the `jwt` rule. */
      context?: (state: StageState) => RateLimitContext;
    };

/**
 * The rate-limit stage. A limiter keyed by client IP alone runs before `jwt` (a request over the limit is
 * refused without a signature check); one with per-token buckets runs after it, so they see the verified
 * subject, and a request an earlier rule refused is still counted (with no subject: IP buckets only) and
 * answered 429 once the client's bucket is spent, as an IP limiter in front of authentication would. The client IP is
 * the runtime's peer address (`info.remoteAddress`) read through bulwark's resolver. Allowed responses
 * carry the RateLimit fields; exhausted buckets answer 429 with `Retry-After`.
 *
 * @example
 * protect(handler, { jwt, rateLimit: { buckets: [{ name: 'ip', rate: '100/min' }, { name: 'user', key: 'subject', rate: '1000/min' }] } });
 */
export function rateLimitStage(policy: RateLimitPolicy): Stage {
  const wrapped = 'limiter' in policy ? policy : undefined;
  const limiter = ruleFor(
    wrapped?.limiter ?? (policy as RateLimiterOptions | RateLimiter),
    'ratelimit',
    createRateLimiter,
  );
  const route = wrapped?.route;
  const context =
    wrapped?.context ??
    ((state: StageState): RateLimitContext => defaultRateLimitContext(state.context.claims, route));
  const decide = (state: StageState, verdict: Verdict<RateLimitInfo>): Response | undefined => {
    if (!verdict.ok) return replyResponse(verdict.reply);
    admit(state, verdict);
    return undefined;
  };
  // The memory store answers synchronously: the stage then decides without a promise (protect() awaits
  // only what is one), so an allowed request reaches the next stage without a microtask hop.
  const now = synchronousCheck(limiter);
  return {
    // An IP-only limiter decides the same without the claims (core says which), unless a context function
    // of the user's own is to see them.
    beforeAuthentication: limiter.beforeAuthentication && wrapped?.context === undefined,
    before:
      now !== undefined
        ? (state) => decide(state, now(state.req, context(state)))
        : (state) => limiter.check(state.req, context(state)).then((verdict) => decide(state, verdict)),
    async refused(state, response) {
      // What a refused request counts in is core's rule (countRefused): the buckets that need no identity.
      const verdict = await limiter.countRefused(state.req, route);
      if (!verdict.ok) return replyResponse(verdict.reply);
      return withHeaders(response, verdict.headers);
    },
  };
}
