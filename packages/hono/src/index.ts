/**
 * @bulwark/hono: bulwark's rules as Hono middleware, on Node (@hono/node-server), Bun, Deno and Cloudflare
 * Workers. Re-exports what its users need of `@bulwark/core` (`@bulwark/core/app`).
 */
export * from '@bulwark/core/app';
export { requireJwt } from './jwt.js';
export { observe } from './events.js';
export type { JwtVariables, OptionalJwtVariables } from './jwt.js';
export { rateLimit } from './ratelimit.js';
export type { HonoRateLimitOptions } from './ratelimit.js';
export { verifyWebhook } from './webhooks.js';
export type { WebhookVariables } from './webhooks.js';
export { securityHeaders } from './headers.js';
export type { SecurityHeadersVariables } from './headers.js';
export { cors } from './cors.js';
export { oidcRoutes } from './oauth.js';
export type { HonoOidcOptions, HonoOidcRoutes } from './oauth.js';
export { requireMtls } from './mtls.js';
export type { MtlsVariables } from './mtls.js';
