import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type OnModuleInit,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  type ClientIpResolver,
  type ClientIpResolverOptions,
  ConfigError,
  createClientIpResolver,
  createRateLimiter,
  type RateLimitContext,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitStore,
} from '@bulwark/core';
import { type PlatformRequest, pass, toRequestLike } from './http.js';
import { declaredRoutes } from './levels.js';

/** Injection token of the named rate limiters (a `Map`, or `null` when no `rateLimit` option was given). */
export const BULWARK_RATE_LIMITERS: unique symbol = Symbol.for('bulwark.nestjs.rateLimiters');
/** Metadata key set by `@RateLimit(name)`. */
export const RATE_LIMIT_METADATA = 'bulwark:rate-limit';
/** Metadata key set by `@SkipRateLimit()`. */
export const SKIP_RATE_LIMIT_METADATA = 'bulwark:skip-rate-limit';

/** The `rateLimit` option of `BulwarkModule.forRoot`. */
export interface BulwarkRateLimitOptions {
  /** Limiters by name, used by `@RateLimit(name)`. The name is also the store key prefix unless set. */
  limiters: Readonly<Record<string, RateLimiterOptions | RateLimiter>>;
  /**
   * The limiter that counts every route of the app (as `@nestjs/throttler`'s guard registered as
   * `APP_GUARD` does), before any controller or handler guard: key it by client address, since no token is
   * verified yet. `@SkipRateLimit()` exempts a controller or handler; `@RateLimit` adds its own limit.
   */
  global?: string;
  /** One client-IP resolver for every limiter given as options (trusted proxies). Same on both platforms. */
  clientIp?: ClientIpResolver | ClientIpResolverOptions;
  /** Store for every limiter given as options (default: one memory store each). */
  store?: RateLimitStore;
  /** What the limiters know about a request; default: subject and claims verified by `@RequireJwt()`. */
  context?: (request: PlatformRequest) => RateLimitContext;
}

interface Limiters {
  readonly byName: ReadonlyMap<string, RateLimiter>;
  readonly global: RateLimiter | undefined;
  readonly context: (request: PlatformRequest) => RateLimitContext;
}

function defaultContext(request: PlatformRequest): RateLimitContext {
  const auth = request.auth as Record<string, unknown> | undefined;
  const route =
    (request.routeOptions as { url?: unknown } | undefined)?.url ??
    (request.route as { path?: unknown } | undefined)?.path;
  return { claims: auth, route: typeof route === 'string' ? route : undefined };
}

/**
 * Build the named limiters of the module options (validated at startup).
 *
 * @example
 * buildRateLimiters({ rateLimit: { limiters: { api: { rate: '100/min' } } } });
 */
export function buildRateLimiters(options: { rateLimit?: BulwarkRateLimitOptions }): Limiters | null {
  const rl = options.rateLimit;
  if (rl === undefined) return null;
  if (typeof rl.limiters !== 'object' || rl.limiters === null || Object.keys(rl.limiters).length === 0) {
    throw new ConfigError(
      'BulwarkModule.rateLimit.limiters',
      'is empty',
      "name at least one limiter, e.g. { api: { rate: '100/min' } }",
    );
  }
  const clientIp =
    rl.clientIp === undefined || typeof (rl.clientIp as ClientIpResolver).key === 'function'
      ? (rl.clientIp as ClientIpResolver | undefined)
      : createClientIpResolver(rl.clientIp as ClientIpResolverOptions);
  const byName = new Map<string, RateLimiter>();
  for (const [name, source] of Object.entries(rl.limiters)) {
    if (typeof (source as RateLimiter).check === 'function') {
      byName.set(name, source as RateLimiter);
      continue;
    }
    const o = source as RateLimiterOptions;
    byName.set(
      name,
      createRateLimiter({
        name,
        ...(clientIp !== undefined ? { clientIp } : {}),
        ...(rl.store !== undefined ? { store: rl.store } : {}),
        ...o,
      }),
    );
  }
  let global: RateLimiter | undefined;
  if (rl.global !== undefined) {
    global = byName.get(rl.global);
    if (global === undefined) {
      throw new ConfigError(
        'nestjs.BulwarkModule.rateLimit.global',
        `names '${String(rl.global)}', which rateLimit.limiters does not define`,
        `name one of ${[...byName.keys()].map((n) => `'${n}'`).join(', ')}, or add '${String(rl.global)}' to rateLimit.limiters`,
      );
    }
  }
  return { byName, global, context: rl.context ?? defaultContext };
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
  private readonly runs = new WeakMap<object, number>();

  constructor(
    @Inject(BULWARK_RATE_LIMITERS) private readonly limiters: Limiters | null,
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
    @Inject(BULWARK_RATE_LIMITERS) private readonly limiters: Limiters | null,
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

/**
 * Rate-limit a controller or handler with the named limiter of `BulwarkModule.forRoot({ rateLimit })`.
 * On a controller and a handler, both limiters count. For per-token buckets put it above `@RequireJwt()`
 * on the handler, so the token is verified first.
 *
 * @example
 * @Get('orders') @RateLimit('user') @RequireJwt() list() {}
 */
export function RateLimit(name: string): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(RATE_LIMIT_METADATA, name), UseGuards(RateLimitGuard));
}

/**
 * Exempt a handler from its controller's `@RateLimit`, and a handler or a whole controller from the app-wide
 * limiter (`rateLimit.global`); a `@RateLimit` on the handler itself still counts.
 *
 * @example
 * @Get('health') @SkipRateLimit() health() {}
 */
export function SkipRateLimit(): MethodDecorator & ClassDecorator {
  return SetMetadata(SKIP_RATE_LIMIT_METADATA, true);
}
