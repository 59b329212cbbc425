import {
  type DynamicModule,
  Inject,
  type InjectionToken,
  type MiddlewareConsumer,
  Module,
  type ModuleMetadata,
  type NestModule,
  type Provider,
  RequestMethod,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import {
  createJwtVerifier,
  type JwtVerifier,
  type JwtVerifierOptions,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  ruleFrom,
} from '@bulwark/core';
import type { CorsOptions, CorsPolicy, SecurityHeaders, SecurityHeadersOptions } from '@bulwark/core';
import { cors } from './cors.js';
import { BulwarkExceptionFilter } from './denied.js';
import { type NodeMiddleware, securityHeaders } from './headers.js';
import { type BulwarkWebhookOptions, webhookExports, webhookProviders } from './webhooks.js';
import { buildMtlsVerifier, MtlsGuard } from './mtls.js';
import { type BulwarkOauthOptions, OidcLoginService } from './oauth.js';
import {
  BULWARK_RATE_LIMITERS,
  type BulwarkRateLimitOptions,
  buildRateLimiters,
  RateLimitGuard,
} from './ratelimit.js';
import { BULWARK_JWT, BULWARK_MTLS, BULWARK_OPTIONS } from './tokens.js';

/** Options of {@link BulwarkModule}; each area adds its key. */
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
  /** Security headers on every response (404s, denials, errors included); `true` for the API defaults. */
  securityHeaders?: SecurityHeadersOptions | SecurityHeaders | true;
  /** App-wide CORS, answered before routing; use it instead of `app.enableCors()`. */
  cors?: CorsOptions | CorsPolicy;
}

/** Options of {@link BulwarkModule.forRootAsync}. */
export interface BulwarkModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => BulwarkModuleOptions | Promise<BulwarkModuleOptions>;
}

function buildJwt(options: BulwarkModuleOptions): JwtVerifier | null {
  const jwt = options.jwt;
  if (jwt === undefined) return null;
  return ruleFrom(jwt, createJwtVerifier, 'verify');
}

const sharedProviders: Provider[] = [
  { provide: BULWARK_JWT, inject: [BULWARK_OPTIONS], useFactory: buildJwt },
  { provide: BULWARK_RATE_LIMITERS, inject: [BULWARK_OPTIONS], useFactory: buildRateLimiters },
  { provide: BULWARK_MTLS, inject: [BULWARK_OPTIONS], useFactory: buildMtlsVerifier },
  RateLimitGuard,
  MtlsGuard,
  OidcLoginService,
  ...webhookProviders,
  { provide: APP_FILTER, useClass: BulwarkExceptionFilter },
];

const sharedExports = [
  ...webhookExports,
  BULWARK_OPTIONS,
  BULWARK_JWT,
  BULWARK_MTLS,
  BULWARK_RATE_LIMITERS,
  RateLimitGuard,
  MtlsGuard,
  OidcLoginService,
];

/**
 * bulwark for NestJS, on the express and fastify platforms. Rules are built (and validated) when the
 * module initialises, so a bad option fails the app at startup.
 *
 * @example
 * @Module({ imports: [BulwarkModule.forRoot({ jwt: { algorithms: ['RS256'], issuer, audience, jwksUri } })] })
 * export class AppModule {}
 */
@Module({})
export class BulwarkModule implements NestModule {
  constructor(@Inject(BULWARK_OPTIONS) private readonly options: BulwarkModuleOptions) {}

  /** App-wide rules (security headers, then CORS) run as middleware ahead of routing, on every path. */
  configure(consumer: MiddlewareConsumer): void {
    const middleware: NodeMiddleware[] = [];
    const headers = this.options.securityHeaders;
    if (headers !== undefined) middleware.push(securityHeaders(headers === true ? undefined : headers));
    if (this.options.cors !== undefined) middleware.push(cors(this.options.cors));
    if (middleware.length > 0)
      consumer.apply(...middleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  static forRoot(options: BulwarkModuleOptions): DynamicModule {
    return {
      module: BulwarkModule,
      global: true,
      providers: [{ provide: BULWARK_OPTIONS, useValue: options }, ...sharedProviders],
      exports: sharedExports,
    };
  }

  static forRootAsync(options: BulwarkModuleAsyncOptions): DynamicModule {
    return {
      module: BulwarkModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: BULWARK_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        ...sharedProviders,
      ],
      exports: sharedExports,
    };
  }
}
