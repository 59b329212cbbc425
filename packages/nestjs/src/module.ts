import { type DynamicModule, Inject, Module, type NestModule, type Provider } from '@nestjs/common';
import { type AbstractHttpAdapter, APP_FILTER, APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import {
  ConfigError,
  type EventSink,
  type JwtVerifier,
  type MtlsVerifier,
  type WebhookVerifier,
} from '@bulwark/core';
import { attachModuleEvents, BULWARK_EVENTS, createModuleSink } from './events.js';
import { BulwarkExceptionFilter } from './answer.filter.js';
import {
  type AppWideStep,
  corsStep,
  installAppWide,
  securityHeadersStep,
  webhookDeliveryStep,
} from './app-wide.js';
import { MtlsGuard } from './mtls.guard.js';
import { OidcLoginService } from './oidc-login.service.js';
import type { BulwarkModuleAsyncOptions, BulwarkModuleOptions, BulwarkOptionsFactory } from './options.js';
import {
  buildJwtVerifier,
  buildMtlsVerifier,
  buildRateLimiters,
  buildWebhookVerifiers,
  type BulwarkRateLimiters,
} from './providers.js';
import { GlobalRateLimitGuard, RateLimitGuard } from './rate-limit.guard.js';
import { watchBodyParsers } from './raw-body.js';
import {
  BULWARK_JWT,
  BULWARK_MTLS,
  BULWARK_OPTIONS,
  BULWARK_RATE_LIMITERS,
  BULWARK_WEBHOOKS,
} from './tokens.js';
import { WebhookGuard } from './webhook.guard.js';

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

const sharedProviders: Provider[] = [
  { provide: BULWARK_JWT, inject: [BULWARK_OPTIONS], useFactory: buildJwtVerifier },
  { provide: BULWARK_RATE_LIMITERS, inject: [BULWARK_OPTIONS], useFactory: buildRateLimiters },
  { provide: BULWARK_MTLS, inject: [BULWARK_OPTIONS], useFactory: buildMtlsVerifier },
  { provide: BULWARK_WEBHOOKS, inject: [BULWARK_OPTIONS], useFactory: buildWebhookVerifiers },
  { provide: BULWARK_EVENTS, inject: [BULWARK_OPTIONS], useFactory: createModuleSink },
  RateLimitGuard,
  MtlsGuard,
  WebhookGuard,
  OidcLoginService,
  { provide: APP_FILTER, useClass: BulwarkExceptionFilter },
];

// Counts every route when rateLimit.global names a limiter; lets everything through otherwise. Nest runs an
// app-wide guard on every request of every route (a guard phase, a context object, a promise), so
// forRoot, whose options are known here, registers it only when there is a global limiter.
const globalGuard: Provider = { provide: APP_GUARD, useClass: GlobalRateLimitGuard };

const sharedExports = [
  BULWARK_OPTIONS,
  BULWARK_JWT,
  BULWARK_MTLS,
  BULWARK_WEBHOOKS,
  BULWARK_RATE_LIMITERS,
  BULWARK_EVENTS,
  RateLimitGuard,
  MtlsGuard,
  WebhookGuard,
  OidcLoginService,
];

const fromFactory = (factory: BulwarkOptionsFactory) => factory.createBulwarkOptions();

/** The providers of the options for each form of `forRootAsync`; exactly one form is allowed. */
function asyncOptionsProviders(options: BulwarkModuleAsyncOptions): Provider[] {
  const given = (['useFactory', 'useClass', 'useExisting'] as const).filter(
    (k) => options?.[k] !== undefined,
  );
  if (given.length !== 1) {
    throw new ConfigError(
      'nestjs.BulwarkModule.forRootAsync',
      given.length === 0
        ? 'has none of useFactory, useClass and useExisting'
        : `has ${given.join(' and ')}; they are alternatives`,
      'pass exactly one: useFactory (with inject), useClass or useExisting',
    );
  }
  if (options.useFactory !== undefined) {
    return [{ provide: BULWARK_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory }];
  }
  if (options.useClass !== undefined) {
    return [
      { provide: options.useClass, useClass: options.useClass },
      { provide: BULWARK_OPTIONS, inject: [options.useClass], useFactory: fromFactory },
    ];
  }
  return [{ provide: BULWARK_OPTIONS, inject: [options.useExisting!], useFactory: fromFactory }];
}

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
    @Inject(BULWARK_JWT) jwt: JwtVerifier | null,
    @Inject(BULWARK_MTLS) mtls: MtlsVerifier | null,
    @Inject(BULWARK_RATE_LIMITERS) rateLimiters: BulwarkRateLimiters | null,
    @Inject(BULWARK_EVENTS) events: EventSink,
  ) {
    attachModuleEvents(events, options, { jwt, mtls, webhooks, rateLimiters });
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

  /**
   * The module with these options.
   *
   * @example
   * BulwarkModule.forRoot({ jwt: { algorithms: ['RS256'], issuer, audience, jwksUri } });
   */
  static forRoot(options: BulwarkModuleOptions): DynamicModule {
    return {
      module: BulwarkModule,
      global: true,
      providers: [
        { provide: BULWARK_OPTIONS, useValue: options },
        ...sharedProviders,
        ...(options?.rateLimit?.global !== undefined ? [globalGuard] : []),
      ],
      exports: sharedExports,
    };
  }

  /**
   * The module with its options built by Nest: `useFactory` (with `inject`), `useClass` (a
   * {@link BulwarkOptionsFactory} the module constructs) or `useExisting` (one another module provides).
   * The rules are built, and their options checked, when Nest resolves the options, still at startup.
   *
   * @example
   * BulwarkModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ jwt: config.get('jwt') }) });
   * BulwarkModule.forRootAsync({ useClass: BulwarkConfig });
   */
  static forRootAsync(options: BulwarkModuleAsyncOptions): DynamicModule {
    return {
      module: BulwarkModule,
      global: true,
      imports: options.imports ?? [],
      providers: [...asyncOptionsProviders(options), ...sharedProviders, globalGuard],
      exports: sharedExports,
    };
  }
}
