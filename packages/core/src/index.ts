/**
 * @bulwark/core: every bulwark rule, on plain request/response values, with no framework import. The root
 * holds the shared vocabulary (errors, verdicts, rules, events, stores) and every area's public API; each
 * area is also its own entry point (`@bulwark/core/jwt`, `/oauth`, `/headers`, `/cors`, `/ratelimit`,
 * `/webhooks`, `/mtls`, `/dpop`, `/stores`; node-only glue in `/node`; building blocks for adapters and
 * stores in `/toolkit`). Applications import from their adapter, which re-exports what they need.
 */
export { ConfigError, isConfigError, isSecurityError, SecurityError, withoutStackTrace } from './errors.js';
export type { BulwarkErrorCode, SecurityErrorInit } from './errors.js';
export { allow, answer, deny } from './verdict.js';
export type { Allowed, Answered, Denied, HeaderList, HeaderPair, Reply, Result, Verdict } from './verdict.js';
export { isRule, RULE, ruleFor } from './rule.js';
export type { Rule, RuleKind } from './rule.js';
export { toResponse, withHeaders, withoutHeaders } from './http/response.js';
export type { BulwarkEventType, OnEvent, SecurityEvent } from './events.js';
export {
  attachEvents,
  consoleLogger,
  createEventSink,
  eventMessage,
  EVENTS,
  Reporter,
} from './observe/reporter.js';
export type { EventLogger, EventOptions, EventSink } from './observe/reporter.js';
export { EVENT_CATALOG, eventSpec } from './observe/catalog.js';
export type { EventLevel, EventSpec, EventVisibility } from './observe/catalog.js';
export { telemetryReady } from './observe/telemetry.js';
export { fromFetchRequest, requestPath } from './http/request.js';
export type { RequestLike } from './http/request.js';
export { connectionOf, isCloudflareWorkers } from './http/runtime.js';
export type { ConnectionInfo } from './http/runtime.js';
export { fromEnv } from './http/workers-entry.js';
export type { EnvEntry, EnvHandler } from './http/workers-entry.js';
export { renderProblem } from './http/problem.js';
export * from './stores/index.js';
export * from './jwt/index.js';
export * from './headers/index.js';
export * from './cors/index.js';
export * from './webhooks/index.js';
export * from './ratelimit/index.js';
export * from './mtls/index.js';
export * from './oauth/index.js';
export * from './dpop/index.js';
