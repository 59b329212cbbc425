import {
  type DynamicModule,
  Inject,
  type InjectionToken,
  Module,
  type ModuleMetadata,
  type NestModule,
  type Provider,
} from '@nestjs/common';
import { type AbstractHttpAdapter, APP_FILTER, APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import {
  createJwtVerifier,
  type JwtVerifier,
  type JwtVerifierOptions,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  ruleFor,
} from '@bulwark/core';
import type { CorsOptions, CorsPolicy, SecurityHeaders, SecurityHeadersOptions } from '@bulwark/core';
import { type AppWideStep, installAppWide } from './app-wide.js';
import { corsStep } from './cors.js';
import { BulwarkExceptionFilter } from './denied.js';
import { securityHeadersStep } from './headers.js';
import { watchBodyParsers } from './raw-body.js';
import {
  BULWARK_WEBHOOKS,
  type BulwarkWebhookOptions,
  webhookDeliveryStep,
  webhookExports,
  webhookProviders,
} from './webhooks.js';
import type { WebhookVerifier } from '@bulwark/core';
import { buildMtlsVerifier, MtlsGuard } from './mtls.js';
import { type BulwarkOauthOptions, OidcLoginService } from './oauth.js';
import {
  BULWARK_RATE_LIMITERS,
  type BulwarkRateLimitOptions,
  buildRateLimiters,
  GlobalRateLimitGuard,
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
  /**
   * Security headers on every response (404s, denials, errors included). On by default with the API
   * defaults; options or a policy to change them, `false` to send none.
   */
  securityHeaders?: SecurityHeadersOptions | SecurityHeaders | boolean;
  /** App-wide CORS, answered before routing; use it instead of `app.enableCors()`. */
  cors?: CorsOptions | CorsPolicy;
}

/** Options of {@link BulwarkModule.forRootAsync}. */
export interface BulwarkModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => BulwarkModuleOptions | Promise<BulwarkModuleOptions>;
}

interface ParserRegistry {
  hasContentTypeParser(contentType: string): boolean;
}

/**
 * Which media types of a delivery the platform can parse: all on express (a body no parser reads is read by
 * the guard), those with a registered parser on fastify (it refuses the others before any guard runs).
 */
function parsable(host: HttpAdapterHost): (mediaType: string) => boolean {
  return (mediaType) => {
    const adapter = host?.httpAdapter as AbstractHttpAdapter | undefined;
    if (adapter === undefined || adapter === null || adapter.getType() !== 'fastify') return true;
    const fastify = adapter.getInstance<ParserRegistry>();
    return (mediaType !== '' && fastify.hasContentTypeParser(mediaType)) || fastify.hasContentTypeParser('*');
  };
}

function buildJwt(options: BulwarkModuleOptions): JwtVerifier | null {
  const jwt = options.jwt;
  if (jwt === undefined) return null;
  return ruleFor(jwt, 'jwt', createJwtVerifier);
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
  // Counts every route when rateLimit.global names a limiter; lets everything through otherwise.
  { provide: APP_GUARD, useClass: GlobalRateLimitGuard },
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
  private readonly steps: readonly AppWideStep[];
  private installed = false;

  constructor(
    @Inject(BULWARK_OPTIONS) options: BulwarkModuleOptions,
    @Inject(BULWARK_WEBHOOKS) webhooks: ReadonlyMap<string, WebhookVerifier> | null,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {
    const adapter = adapterHost?.httpAdapter as AbstractHttpAdapter | undefined;
    const steps: AppWideStep[] = [];
    // On unless turned off: importing the module replaces helmet, as registering @fastify/helmet does.
    const headers = options.securityHeaders ?? true;
    if (headers !== false) steps.push(securityHeadersStep(headers === true ? undefined : headers));
    if (options.cors !== undefined) steps.push(corsStep(options.cors));
    if (webhooks !== null && webhooks.size > 0)
      steps.push(webhookDeliveryStep(webhooks, parsable(adapterHost)));
    this.steps = steps;
    // Before app.init() registers the body parsers: WebhookGuard refuses to start without rawBody: true.
    if (adapter !== undefined && adapter !== null) watchBodyParsers(adapter);
    // NestFactory.create builds the module with its adapter: install now, ahead of the body parsers that
    // app.init() adds and of any global prefix, so their 404s and errors carry the headers too.
    this.install(adapter);
  }

  /**
   * App-wide rules (security headers, then CORS, then webhook refusals decidable from headers) run ahead
   * of routing on every path. Apps built through a testing module get their adapter only now.
   */
  configure(): void {
    this.install(this.adapterHost?.httpAdapter as AbstractHttpAdapter | undefined);
  }

  private install(adapter: AbstractHttpAdapter | undefined): void {
    if (this.installed || adapter === undefined || adapter === null) return;
    this.installed = true;
    installAppWide(adapter, this.steps);
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
