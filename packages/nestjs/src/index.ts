/**
 * @bulwark/nestjs: BulwarkModule, guards and decorators for NestJS 11 and 12 on the express and fastify
 * platforms. Re-exports what its users need of `@bulwark/core` (`@bulwark/core/app`). Injection uses explicit `@Inject(TOKEN)` (no decorator metadata).
 * One file per Nest role: module, options, providers, tokens, decorators, one guard per rule, the
 * exception filter, the OIDC service, app-wide steps and middleware.
 */
export * from '@bulwark/core/app';
export { BulwarkModule } from './module.js';
export type {
  BulwarkModuleAsyncOptions,
  BulwarkModuleOptions,
  BulwarkOauthOptions,
  BulwarkOptionsFactory,
  BulwarkRateLimitOptions,
  BulwarkWebhookOptions,
} from './options.js';
export {
  CspNonce,
  Claims,
  MtlsIdentity,
  RateLimit,
  RequireCertificateBoundToken,
  RequireJwt,
  RequireMtls,
  SignedWebhook,
  SkipRateLimit,
  WebhookSigned,
} from './decorators.js';
export { CertificateBoundGuard, JwtGuard } from './jwt.guard.js';
export { MtlsGuard } from './mtls.guard.js';
export { WebhookGuard } from './webhook.guard.js';
export { RateLimitGuard } from './rate-limit.guard.js';
export { BulwarkAnswer, BulwarkExceptionFilter } from './answer.filter.js';
export { OidcLoginService } from './oidc-login.service.js';
export { cors, securityHeaders } from './middleware.js';
export type { NodeMiddleware } from './middleware.js';
export type { WithCspNonce } from './app-wide.js';
export type { BulwarkRateLimiters } from './providers.js';
export type { PlatformRequest } from './http.js';
export {
  BULWARK_JWT,
  BULWARK_MTLS,
  BULWARK_OPTIONS,
  BULWARK_RATE_LIMITERS,
  BULWARK_WEBHOOKS,
  CERTIFICATE_BOUND_METADATA,
  RATE_LIMIT_METADATA,
  REQUIRE_JWT_METADATA,
  REQUIRE_MTLS_METADATA,
  SKIP_RATE_LIMIT_METADATA,
  WEBHOOK_SIGNED_METADATA,
} from './tokens.js';
// The TLS server side of mTLS (node only): server options from PEM files, certificate rotation.
export * from '@bulwark/core/node/mtls-server';
