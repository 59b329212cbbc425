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
