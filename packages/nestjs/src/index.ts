/**
 * @bulwark/nestjs: BulwarkModule, guards and decorators for NestJS 11 and 12 on the express and fastify
 * platforms. Re-exports `@bulwark/core`. Injection uses explicit `@Inject(TOKEN)` (no decorator metadata).
 */
export * from '@bulwark/core';
export { BulwarkModule } from './module.js';
export type { BulwarkModuleAsyncOptions, BulwarkModuleOptions } from './module.js';
export { BulwarkAnswer, BulwarkExceptionFilter } from './denied.js';
export { CspNonce, securityHeaders } from './headers.js';
export type { NodeMiddleware, WithCspNonce } from './headers.js';
export { cors } from './cors.js';
export {
  BULWARK_WEBHOOKS,
  buildWebhookVerifiers,
  SignedWebhook,
  WEBHOOK_SIGNED_METADATA,
  WebhookGuard,
  WebhookSigned,
} from './webhooks.js';
export type { BulwarkWebhookOptions } from './webhooks.js';
export { CertificateBoundGuard, Claims, JwtGuard, RequireCertificateBoundToken, RequireJwt } from './jwt.js';
export { pass, toRequestLike } from './http.js';
export type { PlatformRequest } from './http.js';
export {
  BULWARK_JWT,
  BULWARK_MTLS,
  BULWARK_OPTIONS,
  CERTIFICATE_BOUND_METADATA,
  REQUIRE_JWT_METADATA,
} from './tokens.js';
export {
  BULWARK_RATE_LIMITERS,
  buildRateLimiters,
  RATE_LIMIT_METADATA,
  RateLimit,
  RateLimitGuard,
  SKIP_RATE_LIMIT_METADATA,
  SkipRateLimit,
} from './ratelimit.js';
export type { BulwarkRateLimitOptions } from './ratelimit.js';
export { buildMtlsVerifier, MtlsGuard, MtlsIdentity, REQUIRE_MTLS_METADATA, RequireMtls } from './mtls.js';
export { OidcLoginService } from './oauth.js';
export type { BulwarkOauthOptions } from './oauth.js';
// The TLS server side of mTLS (node only): server options from PEM files, certificate rotation.
export {
  checkMtlsMaterial,
  loadMtlsServerOptions,
  mtlsServerOptions,
  watchCertificateFiles,
} from '@bulwark/core/node';
export type {
  CertificateFiles,
  CertificateRotation,
  CertificateRotationOptions,
  MtlsServerOptions,
  MtlsServerOptionsInput,
  PemInput,
} from '@bulwark/core/node';
