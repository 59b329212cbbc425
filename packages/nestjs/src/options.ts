import type { InjectionToken, ModuleMetadata, Type } from '@nestjs/common';
import type {
  EventOptions,
  ClientIpResolver,
  ClientIpResolverOptions,
  CorsOptions,
  CorsPolicy,
  JwtVerifier,
  JwtVerifierOptions,
  MtlsVerifier,
  MtlsVerifierOptions,
  OidcLogin,
  RateLimitContext,
  RateLimiter,
  RateLimiterOptions,
  RateLimitStore,
  SecurityHeaders,
  SecurityHeadersOptions,
  WebhookVerifier,
  WebhookVerifierOptions,
} from '@bulwark/core';
import type { PlatformRequest } from './http.js';

/** The `webhooks` option of `BulwarkModule.forRoot`: verifiers by name, used by `@WebhookSigned(name)`. */
export type BulwarkWebhookOptions = Readonly<Record<string, WebhookVerifierOptions | WebhookVerifier>>;

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

/** The `oauth` option of `BulwarkModule.forRoot`. */
export interface BulwarkOauthOptions {
  /** From `createOidcLogin({ client, secret })`. */
  login: OidcLogin;
  /** Where the provider sends the browser after logout (registered at the provider). */
  postLogoutRedirectUri?: string;
}

/** Options of `BulwarkModule`; each area adds its key. */
export interface BulwarkModuleOptions {
  /** Webhook verifiers by name for `@WebhookSigned(name)` (the app needs `rawBody: true`). */
  webhooks?: BulwarkWebhookOptions;
  /** JWT verification for `@RequireJwt()`: options or a verifier built with `createJwtVerifier`. */
  jwt?: JwtVerifierOptions | JwtVerifier;
  /** Named rate limiters for `@RateLimit(name)`, sharing one client-IP resolver and store. */
  rateLimit?: BulwarkRateLimitOptions;
  /** Default mTLS policy for `@RequireMtls()` without options (routes may pass their own). */
  mtls?: MtlsVerifierOptions | MtlsVerifier;
  /** OIDC login for `OidcLoginService` (login / callback / logout in your controller). */
  oauth?: BulwarkOauthOptions;
  /**
   * Security headers on every response (404s, denials, errors included). On by default with the API
   * defaults; options or a policy to change them, `false` to send none.
   */
  securityHeaders?: SecurityHeadersOptions | SecurityHeaders | boolean;
  /** App-wide CORS, answered before routing; use it instead of `app.enableCors()`. */
  cors?: CorsOptions | CorsPolicy;
  /** Receives every event of every rule the module builds (after each rule's own `onEvent`). */
  onEvent?: EventOptions['onEvent'];
  /**
   * Where degraded states (JWKS unreachable, a failing store…) are logged, once per condition. Default:
   * Nest's `Logger` (context `bulwark`), only while no `onEvent` takes them; `false` for none.
   */
  logger?: EventOptions['logger'];
  /** Also log this fraction (0 < rate ≤ 1) of routine denials. Default: none. */
  logDenials?: EventOptions['logDenials'];
}

/**
 * A class that builds the module options, for `forRootAsync({ useClass })` or `({ useExisting })`. Nest
 * constructs it with its own dependencies (inject them with `@Inject(TOKEN)`).
 *
 * @example
 * @Injectable()
 * class BulwarkConfig implements BulwarkOptionsFactory {
 *   constructor(@Inject(ConfigService) private readonly config: ConfigService) {}
 *   createBulwarkOptions() { return { jwt: this.config.get('jwt') }; }
 * }
 */
export interface BulwarkOptionsFactory {
  createBulwarkOptions(): BulwarkModuleOptions | Promise<BulwarkModuleOptions>;
}

/**
 * Options of `BulwarkModule.forRootAsync`: exactly one of `useFactory` (with `inject`), `useClass` (a
 * {@link BulwarkOptionsFactory} the module constructs) or `useExisting` (one another module provides).
 */
export interface BulwarkModuleAsyncOptions {
  /** Modules whose providers `useFactory`'s `inject`, `useClass`'s constructor or `useExisting` need. */
  imports?: ModuleMetadata['imports'];
  /** Providers handed to `useFactory`, in order. */
  inject?: InjectionToken[];
  useFactory?: (...args: never[]) => BulwarkModuleOptions | Promise<BulwarkModuleOptions>;
  useClass?: Type<BulwarkOptionsFactory>;
  useExisting?: InjectionToken<BulwarkOptionsFactory>;
}
