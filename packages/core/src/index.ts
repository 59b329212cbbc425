/**
 * @bulwark/core: every bulwark rule, on plain request/response values, with no framework import.
 * Adapters (`@bulwark/express`, `@bulwark/fastify`, `@bulwark/nestjs`, `@bulwark/fetch`, `@bulwark/hono`) re-export it.
 */
export { ConfigError, isConfigError, isSecurityError, SecurityError, withoutStackTrace } from './errors.js';
export type { BulwarkErrorCode, SecurityErrorInit } from './errors.js';
export { allow, answer, deny } from './verdict.js';
export type { Allowed, Answered, Denied, HeaderList, HeaderPair, Reply, Result, Verdict } from './verdict.js';
export { isRule, RULE, ruleFor } from './rule.js';
export type { Rule, RuleKind } from './rule.js';
export { toResponse, withHeaders, withoutHeaders } from './http/response.js';
export { appendVary } from './http/vary.js';
export { emit } from './events.js';
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
export { readBodyCapped } from './http/body.js';
export type { RequestLike } from './http/request.js';
export { connectionOf, isCloudflareWorkers } from './http/runtime.js';
export type { ConnectionInfo } from './http/runtime.js';
export { fromEnv } from './http/workers-entry.js';
export type { EnvEntry, EnvHandler } from './http/workers-entry.js';
export { renderProblem } from './http/problem.js';
export {
  decodeBase64,
  decodeBase64Url,
  decodeBase64UrlText,
  encodeBase64,
  encodeBase64Url,
} from './encoding/base64url.js';
export { BoundedMap } from './stores/bounded-map.js';
export { createMemoryReplayStore, createMemoryRevocationStore, StoreFullError } from './stores/memory.js';
export type { MemoryStoreOptions } from './stores/memory.js';
export { createMemoryRefreshTokenStore } from './stores/memory-refresh.js';
export type {
  BucketRule,
  ClaimOutcome,
  ClaimResult,
  ConsumeResult,
  NewRefreshFamily,
  RateLimitStore,
  RefreshTokenStore,
  ReplayStore,
  RevocationStore,
  RotateRequest,
  RotateResult,
} from './stores/types.js';
// Option checks shared by every bulwark factory (and @bulwark/redis); not meant for application code.
export { checkOptions, numberOption, optionKeys } from './config/options.js';
export type { NumberRange, NumberRule, OptionKeyList } from './config/options.js';
export * from './jwt/index.js';
export * from './headers/index.js';
export * from './cors/index.js';
export * from './webhooks/index.js';
export * from './ratelimit/index.js';
export * from './mtls/index.js';
export * from './oauth/index.js';
export * from './dpop/index.js';
