/**
 * Injection token of the options given to `BulwarkModule.forRoot`.
 *
 * @example
 * constructor(@Inject(BULWARK_OPTIONS) options: BulwarkModuleOptions) {}
 */
export const BULWARK_OPTIONS: unique symbol = Symbol.for('bulwark.nestjs.options');
/**
 * Injection token of the app's JWT verifier (or `null` when no `jwt` option was given).
 *
 * @example
 * constructor(@Inject(BULWARK_JWT) verifier: JwtVerifier) {} // e.g. to revoke on logout
 */
export const BULWARK_JWT: unique symbol = Symbol.for('bulwark.nestjs.jwt');
/**
 * Metadata key set by `@RequireJwt()`.
 *
 * @example
 * reflector.get(REQUIRE_JWT_METADATA, context.getHandler());
 */
export const REQUIRE_JWT_METADATA = 'bulwark:require-jwt';
/**
 * Metadata key set by `@RequireCertificateBoundToken()`: its binding options.
 *
 * @example
 * reflector.get(CERTIFICATE_BOUND_METADATA, handler)
 */
export const CERTIFICATE_BOUND_METADATA = 'bulwark:certificate-bound';
/**
 * Injection token of the module's default mTLS verifier (or `null` when no `mtls` option was given).
 *
 * @example
 * constructor(@Inject(BULWARK_MTLS) verifier: MtlsVerifier | null) {}
 */
export const BULWARK_MTLS: unique symbol = Symbol.for('bulwark.nestjs.mtls');
/**
 * Metadata key set by `@RequireMtls()`: the route's verifier, or `true` for the module default.
 *
 * @example
 * reflector.get(REQUIRE_MTLS_METADATA, handler)
 */
export const REQUIRE_MTLS_METADATA = 'bulwark:require-mtls';
/**
 * Injection token of the named webhook verifiers (a `Map`, or `null` when no `webhooks` option was given).
 *
 * @example
 * constructor(@Inject(BULWARK_WEBHOOKS) verifiers: ReadonlyMap<string, WebhookVerifier> | null) {}
 */
export const BULWARK_WEBHOOKS: unique symbol = Symbol.for('bulwark.nestjs.webhooks');
/**
 * Metadata key set by `@WebhookSigned(name)`: the verifier's name.
 *
 * @example
 * reflector.get(WEBHOOK_SIGNED_METADATA, handler) // 'stripe'
 */
export const WEBHOOK_SIGNED_METADATA = 'bulwark:webhook-signed';
/**
 * Injection token of the named rate limiters (or `null` when no `rateLimit` option was given).
 *
 * @example
 * constructor(@Inject(BULWARK_RATE_LIMITERS) limiters: RateLimiters | null) {}
 */
export const BULWARK_RATE_LIMITERS: unique symbol = Symbol.for('bulwark.nestjs.rateLimiters');
/**
 * Metadata key set by `@RateLimit(name)`: the limiter's name.
 *
 * @example
 * reflector.get(RATE_LIMIT_METADATA, handler) // 'api'
 */
export const RATE_LIMIT_METADATA = 'bulwark:rate-limit';
/**
 * Metadata key set by `@SkipRateLimit()`.
 *
 * @example
 * reflector.get(SKIP_RATE_LIMIT_METADATA, handler) // true
 */
export const SKIP_RATE_LIMIT_METADATA = 'bulwark:skip-rate-limit';
