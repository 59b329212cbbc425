import { Logger } from '@nestjs/common';
import {
  createEventSink,
  type EventLogger,
  type EventSink,
  type JwtVerifier,
  type MtlsVerifier,
} from '@bulwark/core';
import { attachEvents, createCorsPolicy, ruleFor, type WebhookVerifier } from '@bulwark/core';
import type { BulwarkModuleOptions } from './options.js';
import type { BulwarkRateLimiters } from './providers.js';

/** Nest's `Logger` (context `bulwark`) as an event logger: the app's logger, whatever it was replaced by. */
function nestLogger(): EventLogger {
  const logger = new Logger('bulwark');
  // The context already names bulwark.
  const text = (message: string) => (message.startsWith('bulwark: ') ? message.slice(9) : message);
  return {
    error: (_event, message) => logger.error(text(message)),
    warn: (_event, message) => logger.warn(text(message)),
    info: (_event, message) => logger.log(text(message)),
  };
}

/** The rules the module built from its options. */
export interface ModuleRules {
  readonly jwt: JwtVerifier | null;
  readonly mtls: MtlsVerifier | null;
  readonly webhooks: ReadonlyMap<string, WebhookVerifier> | null;
  readonly rateLimiters: BulwarkRateLimiters | null;
}

/** Injection token of the module's event sink (internal: the guards attach the rules they build to it). */
export const BULWARK_EVENTS: unique symbol = Symbol.for('bulwark.nestjs.events');

/**
 * The module's sink: `onEvent`, `logger`, `logDenials` of its options; degraded states to Nest's `Logger`
 * by default.
 */
export function createModuleSink(options: BulwarkModuleOptions): EventSink {
  return createEventSink(
    {
      ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      ...(options.logDenials !== undefined ? { logDenials: options.logDenials } : {}),
    },
    nestLogger(),
    'nestjs.BulwarkModule.',
  );
}

/** Attach the module's sink to every rule the module built, app-wide CORS and the OIDC login included. */
export function attachModuleEvents(sink: EventSink, options: BulwarkModuleOptions, rules: ModuleRules): void {
  attachEvents(rules.jwt, sink);
  attachEvents(rules.mtls, sink);
  for (const verifier of rules.webhooks?.values() ?? []) attachEvents(verifier, sink);
  for (const limiter of rules.rateLimiters?.byName.values() ?? []) attachEvents(limiter, sink);
  if (options.cors !== undefined) attachEvents(ruleFor(options.cors, 'cors', createCorsPolicy), sink);
  // OidcLoginService's login (its state checks and its client included).
  attachEvents(options.oauth?.login, sink);
}
