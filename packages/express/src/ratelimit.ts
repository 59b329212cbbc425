import {
  createRateLimiter,
  type RateLimitContext,
  type RateLimiter,
  type RateLimiterOptions,
  ruleFrom,
} from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { applyHeaders, sendProblem } from './respond.js';

/** Options of the express {@link rateLimit} middleware beyond the limiter's own. */
export interface ExpressRateLimitOptions {
  /**
   * What the limiter knows about the request. Default: the subject and claims `requireJwt()` verified
   * (`req.auth`) and the matched route pattern when the middleware sits on a route.
   */
  context?: (req: Request) => RateLimitContext;
}

function defaultContext(req: Request): RateLimitContext {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return { claims: req.auth, route: typeof route === 'string' ? route : undefined };
}

/**
 * Rate-limit requests: 429 problem+json with `Retry-After` and the RateLimit fields when a bucket is
 * exhausted, the same fields on allowed responses. The client IP comes from bulwark's resolver (trusted
 * proxies only), not from express's `trust proxy` / `req.ip`. Put it after `requireJwt()` for per-token
 * buckets.
 *
 * @example
 * app.use(rateLimit({ rate: '100/min', clientIp: { trustedProxies: ['10.0.0.0/8'] } }));
 * app.get('/orders', requireJwt(jwt), rateLimit({ buckets: [{ name: 'user', key: 'subject', rate: '1000/min' }] }), list);
 */
export function rateLimit(
  source: RateLimiterOptions | RateLimiter,
  options: ExpressRateLimitOptions = {},
): RequestHandler {
  const limiter = ruleFrom(source, createRateLimiter, 'check');
  const context = options.context ?? defaultContext;
  return (req: Request, res: Response, next: NextFunction): void => {
    limiter.check(fromNodeRequest(req, { url: req.originalUrl }), context(req)).then((verdict) => {
      if (!verdict.ok) return sendProblem(res, verdict.error);
      applyHeaders(res, verdict.headers);
      next();
    }, next);
  };
}
