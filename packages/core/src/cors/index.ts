// The cors area's public exports.
export { CORS_ERRORS } from './errors.js';
export type { ParsedOrigin } from './origin.js';
export { createCorsPolicy } from './policy.js';
export type { CorsGrant, CorsPolicy } from './policy.js';
export type { CorsOptions } from './options.js';
