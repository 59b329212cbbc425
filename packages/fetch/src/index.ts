/**
 * @bulwark/fetch: bulwark's rules for `(Request) => Response` handlers (Node, Workers, Deno, Bun).
 * Re-exports what its users need of `@bulwark/core` (`@bulwark/core/app`).
 */
export * from '@bulwark/core/app';
export { protect } from './protect.js';
export type { FetchHandler, ProtectedHandler, ProtectPolicy } from './protect.js';
export type { ConnectionInfo, ProtectContext, Stage, StageState } from './pipeline.js';
export { jwtStage } from './jwt.js';
export type { JwtPolicy } from './jwt.js';
export { rateLimitStage } from './ratelimit.js';
export { webhookStage } from './webhooks.js';
export type { WebhookPolicy } from './webhooks.js';
export type { RateLimitPolicy } from './ratelimit.js';
export { mtlsStage } from './mtls.js';
export type { MtlsPolicyEntry } from './mtls.js';
export { oidcHandlers } from './oauth.js';
export type { FetchOidcHandlers, FetchOidcOptions } from './oauth.js';
export { securityHeaders } from './headers.js';
export type { SecuredHandler, SecuredInfo } from './headers.js';
export { cors } from './cors.js';
