import {
  createRateLimiter,
  defaultRateLimitContext,
  type RateLimitContext,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitHookOptions,
  ruleFor,
} from '@bulwark/core';
import { synchronousCheck } from '@bulwark/core/toolkit';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { proceed, requestOf, stop } from './context.js';

/**
 * Options of the Hono {@link rateLimit} middleware beyond the limiter's own. The default context: the
 * claims `requireJwt()` verified (`c.var.claims`) and the route pattern of the handler the request matched
 * (the last of `matchedRoutes(c)`, for `perRoute` buckets), wherever the middleware is mounted.
 */
export type HonoRateLimitOptions = RateLimitHookOptions<Context>;

// The handler's pattern, not this middleware's own ('/*' under app.use): Hono >= 4.8 has matchedRoutes.
const facts = (c: Context): RateLimitContext =>
  defaultRateLimitContext((c.var as { claims?: unknown }).claims, matchedRoutes(c).at(-1)?.path);

/**
 * Rate-limit requests: 429 problem+json with `Retry-After` and the RateLimit fields when a bucket is
 * exhausted (thrown as an `HTTPException`), the same fields on allowed responses. The client address is
 * the runtime's own (@hono/node-server's socket, Bun's `server.requestIP`, Deno's `remoteAddr`, read from
 * `c.env`), through bulwark's resolver (trusted proxies only); on Cloudflare Workers name the platform
 * (`clientIp: { platform: 'cloudflare' }`). A request whose address cannot be learned is refused with 500
 * `RATELIMIT_CLIENT_IP_UNKNOWN`, never pooled with other clients. Put it before `requireJwt()` for per-IP
 * limits (a flood of bad tokens is counted before any signature is checked), after it for per-token
 * buckets. The same options object on several routes counts in the same buckets.
 *
 * @example
 * app.use(rateLimit({ rate: '100/min', clientIp: { trustedProxies: ['10.0.0.0/8'] } }));
 * app.get('/orders', requireJwt(jwt), rateLimit({ buckets: [{ name: 'user', key: 'subject', rate: '1000/min' }] }), list);
 */
export function rateLimit(
  source: RateLimiterOptions | RateLimiter,
  options: HonoRateLimitOptions = {},
): MiddlewareHandler {
  const limiter = ruleFor(source, 'ratelimit', createRateLimiter);
  const context = options.context ?? facts;
  // The memory store answers synchronously: no await (a microtask hop) before the rest of the chain runs.
  const now = synchronousCheck(limiter);
  return async function bulwarkRateLimit(c, next) {
    const verdict =
      now !== undefined ? now(requestOf(c), context(c)) : await limiter.check(requestOf(c), context(c));
    if (!verdict.ok) return stop(verdict);
    await proceed(c, next, verdict);
  };
}
