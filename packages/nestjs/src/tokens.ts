/** Injection token of the options given to `BulwarkModule.forRoot`. */
export const BULWARK_OPTIONS: unique symbol = Symbol.for('bulwark.nestjs.options');
/** Injection token of the app's JWT verifier (or `null` when no `jwt` option was given). */
export const BULWARK_JWT: unique symbol = Symbol.for('bulwark.nestjs.jwt');
/** Metadata key set by `@RequireJwt()`. */
export const REQUIRE_JWT_METADATA = 'bulwark:require-jwt';
