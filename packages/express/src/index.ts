/**
 * @bulwark/express: bulwark's rules as express 4 and 5 middleware. Re-exports what its users need of `@bulwark/core` (`@bulwark/core/app`).
 */
export * from '@bulwark/core/app';
export { requireJwt } from './jwt.js';
export { observe } from './events.js';
export { securityHeaders } from './headers.js';
export { cors } from './cors.js';
export { captureRawBody, verifyWebhook } from './webhooks.js';
export { rateLimit } from './ratelimit.js';
export type { ExpressRateLimitOptions } from './ratelimit.js';
export { oidcRoutes } from './oauth.js';
export type { ExpressOidcOptions, ExpressOidcRoutes } from './oauth.js';
export { requireMtls } from './mtls.js';
// The TLS server side of mTLS (node only): server options from PEM files, certificate rotation.
export * from '@bulwark/core/node/mtls-server';
