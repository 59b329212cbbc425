import type { BulwarkEventType } from '../events.js';

/**
 * Every event bulwark reports, with its level and whether it is written to a log when nobody asked for it.
 *
 * - `logged`: a state that weakens protection (or a configuration that does), and its recovery. Emitters
 *   report these once per condition (and again when it clears), so they are written to the app's logger
 *   (the framework's, else the console) even when nothing is configured.
 * - `denial`: a routine refusal. Never logged by default (an attack flood must not become a log flood);
 *   `logDenials: <sampleRate>` writes a sample of them.
 * - `hook`: routine, or per attempt: only `onEvent` hooks (and metrics) see them.
 */
export type EventVisibility = 'logged' | 'denial' | 'hook';

/** The log level an event is written at. */
export type EventLevel = 'error' | 'warn' | 'info';

/** How one event type is reported. */
export interface EventSpec {
  readonly level: EventLevel;
  readonly visibility: EventVisibility;
  /**
   * Reported while the rule is being built (a configuration warning), usually before the adapter has
   * attached the app's sink: held and handed to each sink attached later, and written to the console only
   * once the rule is seen running without one.
   */
  readonly startup?: true;
}

const logged = (level: EventLevel): EventSpec => ({ level, visibility: 'logged' });
const startup = (level: EventLevel): EventSpec => ({ level, visibility: 'logged', startup: true });
const denial: EventSpec = { level: 'info', visibility: 'denial' };
const hook = (level: EventLevel): EventSpec => ({ level, visibility: 'hook' });

/**
 * The catalogue, one entry per {@link BulwarkEventType} (the compiler holds it to the union; a test in
 * events holds the union to the sources). docs/observability.md lists the same table.
 */
export const EVENT_CATALOG = {
  'client_ip.forwarded_ignored': logged('warn'),
  'cors.config_warning': startup('warn'),
  'cors.denied': denial,
  'dpop.rejected': denial,
  'dpop.replayed': denial,
  'jwt.rejected': denial,
  'jwt.config_warning': startup('warn'),
  'jwt.jwks_unreachable': logged('error'),
  'jwt.jwks_stale': logged('warn'),
  'jwt.jwks_recovered': logged('info'),
  'jwt.jwks_failed': hook('warn'),
  'jwt.jwks_key_skipped': hook('warn'),
  'jwt.jwks_refreshed': hook('info'),
  'mtls.rejected': denial,
  'mtls.token_binding_rejected': denial,
  'mtls.forwarded_ignored': denial,
  'mtls.rotated': logged('info'),
  'mtls.rotation_failed': logged('error'),
  // Per login attempt, and anonymous clients can start logins: a hook-only signal (the ID Token key set
  // reports its outage as jwt.jwks_unreachable, logged).
  'oauth.discovery_failed': hook('error'),
  'oauth.login': hook('info'),
  'oauth.login_rejected': denial,
  'oauth.redirect_uri_rejected': denial,
  'oauth.refresh_rejected': denial,
  'oauth.state_rejected': denial,
  'ratelimit.limited': denial,
  'ratelimit.store_error': hook('warn'),
  'ratelimit.store_failing': logged('error'),
  'ratelimit.store_recovered': logged('info'),
  'ratelimit.client_ip_unknown': logged('error'),
  'ratelimit.route_unknown': logged('warn'),
  'refresh.client_mismatch': denial,
  'refresh.rejected': denial,
  'refresh.reuse_detected': logged('warn'),
  'refresh.revoked': hook('info'),
  'refresh.rotated': hook('info'),
  'stores.per_isolate': logged('warn'),
  'webhook.claim_lost': hook('warn'),
  'webhook.rejected': denial,
  'webhook.replayed': denial,
  'webhook.store_failed': hook('error'),
  'webhook.store_failing': logged('error'),
  'webhook.store_recovered': logged('info'),
} as const satisfies Readonly<Record<BulwarkEventType, EventSpec>>;

// An event type from elsewhere (a newer emitter, a user's own) is treated as routine.
const UNKNOWN: EventSpec = hook('info');

/**
 * The spec of an event type.
 *
 * @example
 * eventSpec('jwt.jwks_unreachable') // { level: 'error', visibility: 'logged' }
 */
export function eventSpec(type: string): EventSpec {
  return (EVENT_CATALOG as Readonly<Record<string, EventSpec>>)[type] ?? UNKNOWN;
}
