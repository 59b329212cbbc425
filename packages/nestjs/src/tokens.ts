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
