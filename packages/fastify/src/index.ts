/**
 * @bulwark/fastify: bulwark's rules as a fastify 5 plugin and route hooks. Re-exports what its users need of `@bulwark/core` (`@bulwark/core/app`).
 */
export * from '@bulwark/core/app';
export { requireJwt } from './jwt.js';
export { securityHeaders } from './headers.js';
export { cors } from './cors.js';
export { rawWebhookBody, verifyWebhook } from './webhooks.js';
export type { RawWebhookBodyOptions } from './webhooks.js';
export type { BulwarkHook } from './jwt.js';
export { bulwark } from './plugin.js';
export { BulwarkDenial } from './reply.js';
export type { BulwarkPluginOptions } from './plugin.js';
export { rateLimit } from './ratelimit.js';
export type { FastifyRateLimitOptions } from './ratelimit.js';
export { requireMtls } from './mtls.js';
export { oidcRoutes } from './oauth.js';
export type { FastifyOidcOptions, FastifyOidcRoutes, OidcHandler } from './oauth.js';
// The TLS server side of mTLS (node only): server options from PEM files, certificate rotation.
export * from '@bulwark/core/node/mtls-server';
