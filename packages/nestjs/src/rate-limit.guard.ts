import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { ConfigError } from '@bulwark/core';
import { type PlatformRequest, pass, toRequestLike } from './http.js';
import { declaredRoutes } from './levels.js';
import type { BulwarkRateLimiters } from './providers.js';
import { BULWARK_RATE_LIMITERS, RATE_LIMIT_METADATA, SKIP_RATE_LIMIT_METADATA } from './tokens.js';

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
  private readonly runs = new WeakMap<object, number>();

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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    const controller = context.getClass();
    const own = this.reflector.get<string | undefined>(RATE_LIMIT_METADATA, handler);
    const inherited = this.reflector.get<string | undefined>(RATE_LIMIT_METADATA, controller);
    if (own === undefined && inherited === undefined) return true;
    const skipped =
      this.reflector.get<boolean | undefined>(SKIP_RATE_LIMIT_METADATA, handler) === true ||
      this.reflector.get<boolean | undefined>(SKIP_RATE_LIMIT_METADATA, controller) === true;
    // The limiter each run counts, in the order Nest runs the levels' guards (controller first).
    const levels: (string | undefined)[] = [];
    if (inherited !== undefined) levels.push(skipped ? undefined : inherited);
    if (own !== undefined) levels.push(own);
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    const run = this.runs.get(request) ?? 0;
    this.runs.set(request, run + 1);
    const name = levels[run];
    if (name === undefined) return true;
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
    const verdict = await limiter.check(toRequestLike(request), this.limiters!.context(request));
    pass(request, http.getResponse(), verdict);
    return true;
  }
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limiter = this.limiters?.global;
    if (limiter === undefined || context.getType() !== 'http') return true;
    if (
      this.reflector.get<boolean | undefined>(SKIP_RATE_LIMIT_METADATA, context.getHandler()) === true ||
      this.reflector.get<boolean | undefined>(SKIP_RATE_LIMIT_METADATA, context.getClass()) === true
    ) {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    const verdict = await limiter.check(toRequestLike(request), this.limiters!.context(request));
    pass(request, http.getResponse(), verdict);
    return true;
  }
}
