import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { promiseOnly, settledJwtFixture } from '@bulwark/conformance';
import type { JwtVerifier } from '@bulwark/core';
import { BulwarkAnswer, JwtGuard, RateLimit, RateLimitGuard, RequireJwt } from '../src/index.js';
import { buildRateLimiters } from '../src/providers.js';
import { GlobalRateLimitGuard } from '../src/rate-limit.guard.js';

// The guards answer Nest without a promise of theirs when nothing had to be waited for: an allowed request is
// a plain `true`, a denial an already rejected promise carrying its BulwarkAnswer (never a synchronous throw
// out of canActivate). A verifier that only answers through promises gets the same answers.

class OrdersController {
  @RequireJwt({ scopes: ['orders:read'] })
  @RateLimit('api')
  list() {}
}

function contextFor(authorization: string | undefined) {
  const request: Record<string, unknown> = {
    method: 'GET',
    url: '/orders',
    headers: authorization === undefined ? {} : { authorization },
    rawHeaders: authorization === undefined ? [] : ['Authorization', authorization],
    socket: { remoteAddress: '127.0.0.1' },
  };
  const headers = new Map<string, unknown>();
  const response = {
    setHeader: (n: string, v: unknown) => headers.set(n.toLowerCase(), v),
    getHeader: (n: string) => headers.get(n.toLowerCase()),
    appendHeader() {},
  };
  const context = {
    switchToHttp: () => ({
      getRequest: () => request,
      getResponse: () => response,
      getNext: () => undefined,
    }),
    getClass: () => OrdersController,
    getHandler: () => OrdersController.prototype.list,
    getType: () => 'http',
  } as unknown as ExecutionContext;
  return { context, request, headers };
}

/** canActivate's answer, whichever way it comes: 'true', or the status, code and body of the denial. */
async function outcome(answer: boolean | Promise<boolean>): Promise<string> {
  try {
    return String(await answer);
  } catch (e) {
    const denied = e as BulwarkAnswer;
    return `${denied.getStatus()} ${denied.error?.code} ${denied.reply.body}`;
  }
}

/** The denial a rejected answer carries (fails the test if it was not a rejected promise). */
async function rejection(answer: unknown): Promise<BulwarkAnswer> {
  expect(answer).toBeInstanceOf(Promise);
  const reason = await (answer as Promise<unknown>).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(reason).toBeInstanceOf(BulwarkAnswer);
  return reason as BulwarkAnswer;
}

describe('nestjs: JwtGuard answers without a promise of its own when the verifier waits for nothing', () => {
  let verifier: JwtVerifier;
  let tokens: Readonly<Record<string, string | undefined>>;
  beforeAll(async () => {
    ({ verifier, tokens } = await settledJwtFixture());
  });

  const guard = (v: JwtVerifier) => new JwtGuard(v, new Reflector(), null, new ModulesContainer());

  it('answers an allowed request with a plain true and a refusal with a rejected promise, never a throw', async () => {
    const allowed = contextFor(tokens.valid);
    expect(guard(verifier).canActivate(allowed.context)).toBe(true);
    expect((allowed.request.auth as { sub?: string }).sub).toBe('user-123');
    const refused = contextFor(tokens.malformed);
    let answer: unknown;
    expect(() => {
      answer = guard(verifier).canActivate(refused.context);
    }).not.toThrow();
    const denied = await rejection(answer);
    expect(denied.getStatus()).toBe(401);
    expect(denied.error?.code).toBe('JWT_MALFORMED');
    expect(refused.request.auth).toBeUndefined();
  });

  it('answers every request as a verifier seen through promises only does', async () => {
    for (const [name, authorization] of Object.entries(tokens)) {
      const settled = contextFor(authorization);
      const viaPromise = contextFor(authorization);
      const now = await outcome(guard(verifier).canActivate(settled.context));
      const later = guard(promiseOnly(verifier)).canActivate(viaPromise.context);
      expect(later, name).toBeInstanceOf(Promise);
      expect(now, name).toBe(await outcome(later));
      expect(settled.request.auth, name).toEqual(viaPromise.request.auth);
    }
  });
});

describe('nestjs: the rate-limit guards refuse with a rejected promise, never a throw', () => {
  // With rateLimit.global naming it, RateLimitGuard leaves the counting of 'api' to the app-wide guard.
  const limiters = (global: boolean) => {
    const rate = { limit: 1, windowMs: 60_000 };
    const built = buildRateLimiters({
      rateLimit: { limiters: { api: { rate } }, ...(global ? { global: 'api' } : {}) },
    });
    if (built === null) throw new Error('no limiters');
    return built;
  };
  const guards = {
    RateLimitGuard: () => new RateLimitGuard(limiters(false), new Reflector(), new ModulesContainer()),
    GlobalRateLimitGuard: () => new GlobalRateLimitGuard(limiters(true), new Reflector()),
  };

  for (const [name, make] of Object.entries(guards)) {
    it(`${name}: true while allowed, then the 429 as a rejected promise with its headers`, async () => {
      const guard = make();
      const first = contextFor(undefined);
      expect(guard.canActivate(first.context)).toBe(true);
      expect(first.headers.get('ratelimit-policy')).toBeDefined();
      const second = contextFor(undefined);
      let answer: unknown;
      expect(() => {
        answer = guard.canActivate(second.context);
      }).not.toThrow();
      const denied = await rejection(answer);
      expect(denied.getStatus()).toBe(429);
      expect(denied.error?.code).toBe('RATELIMIT_EXCEEDED');
      expect(new Map(denied.reply.headers).get('retry-after')).toMatch(/^\d+$/);
    });
  }
});
