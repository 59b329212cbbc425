import {
  createRateLimiter,
  defaultRateLimitContext,
  type RateLimitContext,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitHookOptions,
  ruleFor,
} from '@bulwark/core';
import { applyVerdict } from '@bulwark/core/node';
import { synchronousCheck } from '@bulwark/core/toolkit';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestOf } from './http.js';

/**
 * Options of the express {@link rateLimit} middleware beyond the limiter's own. The default context: the
 * claims `requireJwt()` verified (`req.auth`) and the matched route pattern when the middleware sits on a route.
 */
export type ExpressRateLimitOptions = RateLimitHookOptions<Request>;

const facts = (req: Request): RateLimitContext =>
  defaultRateLimitContext(req.auth, (req.route as { path?: unknown } | undefined)?.path);

/**
 * Rate-limit requests: 429 problem+json with `Retry-After` and the RateLimit fields when a bucket is
 * exhausted, the same fields on allowed responses. The client IP comes from bulwark's resolver (trusted
 * proxies only), not from express's `trust proxy` / `req.ip`. Put it before `requireJwt()` for per-IP
 * limits (a flood of bad tokens is then counted before any signature is checked), after it for per-token
 * buckets. The same options object on several routes counts in the same buckets.
 *
 * @example
 * app.use(rateLimit({ rate: '100/min', clientIp: { trustedProxies: ['10.0.0.0/8'] } }));
 * app.get('/orders', requireJwt(jwt), rateLimit({ buckets: [{ name: 'user', key: 'subject', rate: '1000/min' }] }), list);
 */
export function rateLimit(
  source: RateLimiterOptions | RateLimiter,
  options: ExpressRateLimitOptions = {},
): RequestHandler {
  const limiter = ruleFor(source, 'ratelimit', createRateLimiter);
  const context = options.context ?? facts;
  const now = synchronousCheck(limiter);
  if (now !== undefined) {
    // The memory store answers synchronously: the next middleware runs at once, no promise or microtask
    // per request. A throw reaches express's error handling as a rejected check would (express catches it).
    return (req: Request, res: Response, next: NextFunction): void => {
      if (applyVerdict(req, res, now(requestOf(req), context(req)))) next();
    };
  }
  return (req: Request, res: Response, next: NextFunction): void => {
    limiter.check(requestOf(req), context(req)).then((verdict) => {
      if (applyVerdict(req, res, verdict)) next();
    }, next);
  };
}
