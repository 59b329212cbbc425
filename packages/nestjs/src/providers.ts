import {
  type ClientIpResolver,
  type ClientIpResolverOptions,
  ConfigError,
  createClientIpResolver,
  createJwtVerifier,
  createMtlsVerifier,
  createRateLimiter,
  createWebhookVerifier,
  defaultRateLimitContext,
  isRule,
  type JwtVerifier,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  type RateLimitContext,
  type RateLimiter,
  type RateLimiterOptions,
  ruleFor,
  type WebhookVerifier,
} from '@bulwark/core';
import type { PlatformRequest } from './http.js';
import type { BulwarkModuleOptions, BulwarkWebhookOptions } from './options.js';

/** The module's rate limiters: by name, the app-wide one, and what they know about a request. */
export interface BulwarkRateLimiters {
  readonly byName: ReadonlyMap<string, RateLimiter>;
  readonly global: RateLimiter | undefined;
  readonly context: (request: PlatformRequest) => RateLimitContext;
}

/**
 * Build the module's JWT verifier (validated at startup), or `null` without a `jwt` option.
 *
 * @example
 * buildJwtVerifier({ jwt: { algorithms: ['RS256'], issuer, audience, jwksUri } });
 */
export function buildJwtVerifier(options: BulwarkModuleOptions): JwtVerifier | null {
  return options.jwt === undefined ? null : ruleFor(options.jwt, 'jwt', createJwtVerifier);
}

/**
 * An mTLS verifier from options or as built (one per options object).
 *
 * @example
 * const verifier = mtlsVerifierOf({ authorize: authorizeMemberOf('corp.example.com') });
 */
export function mtlsVerifierOf(source: MtlsVerifierOptions | MtlsVerifier): MtlsVerifier {
  return ruleFor(source, 'mtls', createMtlsVerifier);
}

/**
 * Build the module's default mTLS verifier (validated at startup).
 *
 * @example
 * buildMtlsVerifier({ mtls: { authorize: authorizeMemberOf('corp.example.com') } });
 */
export function buildMtlsVerifier(options: {
  mtls?: MtlsVerifierOptions | MtlsVerifier;
}): MtlsVerifier | null {
  return options?.mtls === undefined ? null : mtlsVerifierOf(options.mtls);
}

/**
 * Build the named webhook verifiers of the module options (validated at startup).
 *
 * @example
 * buildWebhookVerifiers({ webhooks: { stripe: { scheme: 'stripe', secrets: [secret] } } });
 */
export function buildWebhookVerifiers(options: {
  webhooks?: BulwarkWebhookOptions;
}): ReadonlyMap<string, WebhookVerifier> | null {
  if (options.webhooks === undefined) return null;
  const byName = new Map<string, WebhookVerifier>();
  for (const [name, source] of Object.entries(options.webhooks)) {
    byName.set(name, ruleFor(source, 'webhooks', createWebhookVerifier));
  }
  return byName;
}

// The route pattern: fastify platform's routeOptions.url, express platform's route.path.
const defaultContext = (request: PlatformRequest): RateLimitContext =>
  defaultRateLimitContext(
    request.auth,
    (request.routeOptions as { url?: unknown } | undefined)?.url ??
      (request.route as { path?: unknown } | undefined)?.path,
  );

/**
 * Build the named limiters of the module options (validated at startup).
 *
 * @example
 * buildRateLimiters({ rateLimit: { limiters: { api: { rate: '100/min' } } } });
 */
export function buildRateLimiters(
  options: Pick<BulwarkModuleOptions, 'rateLimit'>,
): BulwarkRateLimiters | null {
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
    if (isRule(source, 'ratelimit')) {
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
