import {
  createRateLimiter,
  type RateLimitContext,
  type RateLimiter,
  type RateLimiterOptions,
  ruleFrom,
} from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import type { FastifyRequest } from 'fastify';
import type { BulwarkHook } from './jwt.js';
import { applyHeaders, sendProblem } from './respond.js';

/** Options of the fastify {@link rateLimit} hook beyond the limiter's own. */
export interface FastifyRateLimitOptions {
  /**
   * What the limiter knows about the request. Default: the subject and claims `requireJwt()` verified
   * (`request.auth`) and the route pattern (`request.routeOptions.url`).
   */
  context?: (request: FastifyRequest) => RateLimitContext;
}

function defaultContext(request: FastifyRequest): RateLimitContext {
  return { claims: request.auth, route: request.routeOptions?.url };
}

/**
 * Rate-limit requests, as an `onRequest`/`preHandler` hook: 429 problem+json with `Retry-After` and the
 * RateLimit fields when a bucket is exhausted, the same fields on allowed replies. The client IP comes
 * from bulwark's resolver (trusted proxies only), never from fastify's `trustProxy` / `request.ip`. Use it
 * after `requireJwt()` in `preHandler` for per-token buckets.
 *
 * @example
 * app.addHook('onRequest', rateLimit({ rate: '100/min', clientIp: { trustedProxies: ['loopback'] } }));
 * app.get('/orders', { preHandler: [requireJwt(jwt), rateLimit(perUser)] }, list);
 */
export function rateLimit(
  source: RateLimiterOptions | RateLimiter,
  options: FastifyRateLimitOptions = {},
): BulwarkHook {
  const limiter = ruleFrom(source, createRateLimiter, 'check');
  const context = options.context ?? defaultContext;
  return async (request, reply) => {
    const verdict = await limiter.check(fromNodeRequest(request.raw, { url: request.url }), context(request));
    if (!verdict.ok) return sendProblem(reply, verdict.error);
    applyHeaders(reply, verdict.headers);
    return undefined;
  };
}
