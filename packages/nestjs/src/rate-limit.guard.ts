import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { ConfigError, type RateLimiter } from '@bulwark/core';
import { synchronousCheck } from '@bulwark/core/toolkit';
import { type PlatformRequest, pass, refuse, toRequestLike } from './http.js';
import { declaredRoutes } from './levels.js';
import type { BulwarkRateLimiters } from './providers.js';
import { BULWARK_RATE_LIMITERS, RATE_LIMIT_METADATA, SKIP_RATE_LIMIT_METADATA } from './tokens.js';

/** What a route's `@RateLimit` / `@SkipRateLimit` metadata says, read once per handler. */
interface RouteLimits {
  /** The limiter each run of the guard counts, in the order Nest runs the levels' guards (controller first). */
  readonly levels: readonly (string | undefined)[];
  /** `@SkipRateLimit()` on the handler or its controller. */
  readonly skipped: boolean;
}

// Per controller class, then handler: metadata is fixed once the app is built, and reading it through the
// reflector on every request cost more than the limiter's own bookkeeping.
const limitsByRoute = new WeakMap<object, WeakMap<object, RouteLimits>>();

function routeLimits(reflector: Reflector, context: ExecutionContext): RouteLimits {
  const controller = context.getClass();
  const handler = context.getHandler();
  let byHandler = limitsByRoute.get(controller);
  if (byHandler === undefined) {
    byHandler = new WeakMap();
    limitsByRoute.set(controller, byHandler);
  }
  let limits = byHandler.get(handler);
  if (limits === undefined) {
    const own = reflector.get<string | undefined>(RATE_LIMIT_METADATA, handler);
    const inherited = reflector.get<string | undefined>(RATE_LIMIT_METADATA, controller);
    const skipped =
      reflector.get<boolean | undefined>(SKIP_RATE_LIMIT_METADATA, handler) === true ||
      reflector.get<boolean | undefined>(SKIP_RATE_LIMIT_METADATA, controller) === true;
    const levels: (string | undefined)[] = [];
    if (inherited !== undefined) levels.push(skipped ? undefined : inherited);
    if (own !== undefined) levels.push(own);
    limits = { levels, skipped };
    byHandler.set(handler, limits);
  }
  return limits;
}

/**
 * Guard behind `@RateLimit(name)`. A controller's `@RateLimit` and its handler's both count (a controller
 * limit is a floor a handler cannot escape by naming another limiter); `@SkipRateLimit()` exempts a handler
 * from its controller's limiter only. Nest runs this guard once per level, controller first, and each run
 * counts its own level's limiter: the controller's before any handler guard (so it also counts requests
 * `@RequireJwt` will refuse), the handler's where it is written (above `@RequireJwt` it sees the subject).
 * It also checks at startup that every `@RateLimit(name)` names a configured limiter.
 *
 * @example
 * // applied by @RateLimit('api'); usable directly too:
 * @UseGuards(RateLimitGuard) @SetMetadata(RATE_LIMIT_METADATA, 'api') list() {}
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleInit {
  // How many times this guard ran for a request (one run per level that applies it): a property of this
  // guard's own symbol on the request, not a WeakMap entry per request (an ephemeron insert costs ~10× a
  // property store).
  private readonly runs: symbol = Symbol('bulwark.nestjs.rateLimitRuns');

  constructor(
    @Inject(BULWARK_RATE_LIMITERS) private readonly limiters: BulwarkRateLimiters | null,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
  ) {}

  /** Every `@RateLimit(name)` in the app must name a configured limiter: checked at startup, not per request. */
  onModuleInit(): void {
    const used = new Map<string, string>();
    const note = (target: object, where: string): void => {
      const name = this.reflector.get<string | undefined>(RATE_LIMIT_METADATA, target as never);
      if (name !== undefined && !used.has(name)) used.set(name, where);
    };
    for (const route of declaredRoutes(this.modules)) {
      note(route.controller, (route.controller as { name: string }).name);
      note(route.handler, route.where);
    }
    for (const [name, where] of used) {
      if (this.limiters?.byName.has(name) !== true) {
        throw new ConfigError(
          `@RateLimit('${name}') on ${where}`,
          this.limiters === null
            ? 'is used but BulwarkModule has no rateLimit option'
            : 'names a limiter that BulwarkModule.rateLimit.limiters does not define',
          `add '${name}' to rateLimit.limiters`,
        );
      }
    }
  }

  // Not async: where nothing is counted the answer is a plain `true`, which Nest takes without awaiting.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const route = routeLimits(this.reflector, context);
    if (route.levels.length === 0) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    const counted = request as Record<symbol, number | undefined>;
    const run = counted[this.runs] ?? 0;
    counted[this.runs] = run + 1;
    const name = route.levels[run];
    if (name === undefined) return true;
    const { skipped } = route;
    const limiter = this.limiters?.byName.get(name);
    if (limiter === undefined) {
      throw new ConfigError(
        `@RateLimit('${name}')`,
        'names a limiter that BulwarkModule.rateLimit.limiters does not define',
        `add ${name} to rateLimit.limiters`,
      );
    }
    // The app-wide guard already counted this request against the same limiter: once is the limit.
    if (limiter === this.limiters!.global && !skipped) return true;
    return count(limiter, this.limiters!, request, http.getResponse());
  }
}

/**
 * Count the request against `limiter`: true when allowed (its headers applied), else its 429 rejected. With a
 * store that answers synchronously (the memory store) the answer is a plain `true`, which Nest takes without
 * a promise of ours, or the 429 as an already rejected promise (not a throw: see `refuse`); a network store's
 * answer is awaited.
 */
function count(
  limiter: RateLimiter,
  limiters: BulwarkRateLimiters,
  request: PlatformRequest,
  response: unknown,
): boolean | Promise<boolean> {
  const now = synchronousCheck(limiter);
  if (now !== undefined) {
    const verdict = now(toRequestLike(request), limiters.context(request));
    if (!verdict.ok) return refuse(verdict);
    pass(request, response, verdict);
    return true;
  }
  return limiter.check(toRequestLike(request), limiters.context(request)).then((verdict) => {
    pass(request, response, verdict);
    return true;
  });
}

/**
 * The app-wide limiter (`rateLimit.global`), registered by `BulwarkModule` as an `APP_GUARD`: Nest runs it on
 * every route before the controller's and handler's guards, so it counts requests `@RequireJwt` refuses
 * too. A route with `@SkipRateLimit()` on its handler or controller is not counted. Without a `global`
 * limiter it lets everything through.
 *
 * @example
 * BulwarkModule.forRoot({ rateLimit: { limiters: { api: { rate: '100/min' } }, global: 'api' } });
 */
@Injectable()
export class GlobalRateLimitGuard implements CanActivate {
  constructor(
    @Inject(BULWARK_RATE_LIMITERS) private readonly limiters: BulwarkRateLimiters | null,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  // Not async: without a global limiter (or on a skipped route) a plain `true`, which Nest takes without awaiting.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const limiter = this.limiters?.global;
    if (limiter === undefined || context.getType() !== 'http') return true;
    if (routeLimits(this.reflector, context).skipped) return true;
    const http = context.switchToHttp();
    return count(limiter, this.limiters!, http.getRequest<PlatformRequest>(), http.getResponse());
  }
}
