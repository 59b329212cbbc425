/**
 * `@bulwark/core/app`: what an application using an adapter imports, and what every adapter
 * (`@bulwark/express`, `/fastify`, `/fetch`, `/nestjs`, `/hono`) re-exports so its users import from the
 * adapter alone: the errors and their codes, the event types, the request and verdict shapes an app sees,
 * and each area's factories, option types and stores. Not here (root or `/toolkit` only): what adapters and
 * custom rules are built from (verdict constructors, the rule brand, request/response conversion, event
 * sinks, option checks).
 */
export { ConfigError, isConfigError, isSecurityError, SecurityError } from '../errors.js';
export type { BulwarkErrorCode } from '../errors.js';
export type { BulwarkEventType, OnEvent, SecurityEvent } from '../events.js';
export type { EventLevel, EventSpec, EventVisibility } from '../observe/catalog.js';
export type { EventLogger, EventOptions } from '../observe/reporter.js';
export type { RequestLike } from '../http/request.js';
export { fromEnv } from '../http/workers-entry.js';
export type { EnvEntry, EnvHandler } from '../http/workers-entry.js';
export type { Allowed, Answered, Denied, HeaderList, HeaderPair, Reply, Verdict } from '../verdict.js';
export * from '../stores/index.js';
export * from '../jwt/index.js';
export * from '../headers/index.js';
export * from '../cors/index.js';
export * from '../webhooks/index.js';
export * from '../ratelimit/index.js';
export * from '../mtls/index.js';
export * from '../oauth/index.js';
export * from '../dpop/index.js';
