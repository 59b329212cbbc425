import {
  createRateLimiter,
  defaultRateLimitContext,
  type RateLimitContext,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitInfo,
  type Verdict,
  type RateLimitHookOptions,
  ruleFor,
} from '@bulwark/core';
import { applyAllowed } from '@bulwark/core/node';
import { synchronousCheck } from '@bulwark/core/toolkit';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { NextStep } from './ahead.js';
import type { BulwarkHook } from './jwt.js';
import { pass, refuseTo, requestOf } from './reply.js';

/**
 * Options of the fastify {@link rateLimit} hook beyond the limiter's own. The default context: the claims
 * `requireJwt()` verified (`request.auth`) and the route pattern (`request.routeOptions.url`).
 */
export type FastifyRateLimitOptions = RateLimitHookOptions<FastifyRequest>;

const facts = (request: FastifyRequest): RateLimitContext =>
  defaultRateLimitContext(request.auth, request.routeOptions?.url);

/** The async hook's answer to a verdict already decided (a denial rejects). */
async function answerByHand(
  request: FastifyRequest,
  reply: FastifyReply,
  verdict: Verdict<RateLimitInfo>,
): Promise<FastifyReply | undefined> {
  return pass(request, reply, verdict) ? undefined : reply;
}

/**
 * Rate-limit requests, as an `onRequest`/`preHandler` hook: 429 problem+json with `Retry-After` and the
 * RateLimit fields when a bucket is exhausted, the same fields on allowed replies. The client IP comes
 * from bulwark's resolver (trusted proxies only), never from fastify's `trustProxy` / `request.ip`. As an
 * `onRequest` hook it counts every request before any token is checked; use it after `requireJwt()` in
 * `preHandler` for per-token buckets. The same options object on several routes counts in the same buckets.
 *
 * @example
 * app.addHook('onRequest', rateLimit({ rate: '100/min', clientIp: { trustedProxies: ['loopback'] } }));
 * app.get('/orders', { preHandler: [requireJwt(jwt), rateLimit(perUser)] }, list);
 */
export function rateLimit(
  source: RateLimiterOptions | RateLimiter,
  options: FastifyRateLimitOptions = {},
): BulwarkHook {
  return rateLimitHook(source, options).hook;
}

/** The hook, and its synchronous step when the store answers synchronously (see `installAhead`). */
export interface RateLimitHook {
  readonly hook: BulwarkHook;
  readonly step: NextStep | undefined;
}

/**
 * The default context of a limiter that reads none of it but the route (every bucket keyed by the client
 * IP, no tier, no cost function: `beforeAuthentication`), reused from check to check. The route pattern is
 * read only when a `perRoute` bucket asks for it (`request.routeOptions` builds an object per read); no user
 * function ever sees this object.
 */
class RouteOnly implements RateLimitContext {
  request: FastifyRequest | undefined = undefined;
  readonly claims = undefined;

  get route(): string | undefined {
    const route = this.request?.routeOptions?.url;
    return typeof route === 'string' && route !== '' ? route : undefined;
  }
}

/** {@link rateLimit}, with the synchronous step the plugin runs inside its one app-wide hook. */
export function rateLimitHook(
  source: RateLimiterOptions | RateLimiter,
  options: FastifyRateLimitOptions = {},
): RateLimitHook {
  const limiter = ruleFor(source, 'ratelimit', createRateLimiter);
  const context = options.context ?? facts;
  const now = synchronousCheck(limiter);
  if (now === undefined) {
    const hook: BulwarkHook = async (request, reply) => {
      const verdict = await limiter.check(requestOf(request), context(request));
      return pass(request, reply, verdict) ? undefined : reply;
    };
    return { hook, step: undefined };
  }
  const reused = options.context === undefined && limiter.beforeAuthentication ? new RouteOnly() : undefined;
  const decideNow = (request: FastifyRequest): Verdict<RateLimitInfo> => {
    if (reused === undefined) return now(requestOf(request), context(request));
    // The synchronous check reads the context before it returns: one object serves every request.
    reused.request = request;
    try {
      return now(requestOf(request), reused);
    } finally {
      reused.request = undefined;
    }
  };
  // The memory store answers synchronously: a callback-style hook, so fastify runs the next step at once
  // (no promise, no microtask hop). A denial goes to `done`, into the same error pipeline a rejected
  // promise would reach.
  const step: NextStep = (request, reply, done) => {
    const verdict = decideNow(request);
    if (verdict.ok) {
      applyAllowed(request.raw, reply.raw, verdict);
      done();
      return;
    }
    refuseTo(request, reply, verdict, done);
  };
  // Called by hand without `done`, it answers as the async hook does.
  function bulwarkRateLimit(
    request: FastifyRequest,
    reply: FastifyReply,
    done?: HookHandlerDoneFunction,
  ): Promise<FastifyReply | undefined> | undefined {
    if (done === undefined) return answerByHand(request, reply, decideNow(request));
    step(request, reply, done);
    return undefined;
  }
  return { hook: bulwarkRateLimit as BulwarkHook, step };
}
