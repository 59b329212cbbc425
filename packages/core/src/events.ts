import type { BulwarkErrorCode } from './errors.js';

/**
 * Every event type a bulwark rule reports (`area.what`). A test checks each one is emitted somewhere.
 *
 * @example
 * const alerts: ReadonlySet<BulwarkEventType> = new Set(['refresh.reuse_detected', 'jwt.jwks_failed']);
 */
export type BulwarkEventType =
  | 'client_ip.forwarded_ignored'
  | 'cors.config_warning'
  | 'cors.denied'
  | 'dpop.rejected'
  | 'dpop.replayed'
  | 'jwt.config_warning'
  | 'jwt.jwks_failed'
  | 'jwt.jwks_key_skipped'
  | 'jwt.jwks_recovered'
  | 'jwt.jwks_refreshed'
  | 'jwt.jwks_stale'
  | 'jwt.jwks_unreachable'
  | 'jwt.rejected'
  | 'mtls.forwarded_ignored'
  | 'mtls.rejected'
  | 'mtls.rotated'
  | 'mtls.rotation_failed'
  | 'mtls.token_binding_rejected'
  | 'oauth.discovery_failed'
  | 'oauth.login'
  | 'oauth.login_rejected'
  | 'oauth.redirect_uri_rejected'
  | 'oauth.refresh_rejected'
  | 'oauth.state_rejected'
  | 'ratelimit.client_ip_unknown'
  | 'ratelimit.limited'
  | 'ratelimit.route_unknown'
  | 'ratelimit.store_error'
  | 'ratelimit.store_failing'
  | 'ratelimit.store_recovered'
  | 'refresh.client_mismatch'
  | 'refresh.rejected'
  | 'refresh.reuse_detected'
  | 'refresh.revoked'
  | 'refresh.rotated'
  | 'stores.per_isolate'
  | 'webhook.claim_lost'
  | 'webhook.rejected'
  | 'webhook.replayed'
  | 'webhook.store_failed'
  | 'webhook.store_failing'
  | 'webhook.store_recovered';

/**
 * A security event reported by a rule. `type` is stable (`area.what`), `code` is the {@link SecurityError}
 * code for denials. `detail` is for operators and may name the reason precisely, but never carries a
 * token, secret or signature. Before an event reaches a hook or a log, every string in it is bounded
 * (detail 512, path 256, data strings 128 characters) and stripped of control characters.
 */
export interface SecurityEvent {
  /** e.g. `jwt.rejected`, `ratelimit.limited`, `webhook.replayed`, `refresh.reuse_detected`. */
  readonly type: BulwarkEventType;
  /** The kind of rule that reported it (`jwt`, `ratelimit`, `cors`…), filled in by bulwark. */
  readonly rule?: string;
  /** Stable error code for denials. */
  readonly code?: BulwarkErrorCode;
  /** Operator-facing explanation. */
  readonly detail?: string;
  /** Request method and path (no query string: it may hold secrets). */
  readonly method?: string;
  readonly path?: string;
  /** Extra structured fields (subject, key id, client ip…). Never secrets. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * Receives security events. Must not throw; errors it throws are swallowed so logging can never break a request.
 *
 * @example
 * createJwtVerifier({ ..., onEvent: (e) => logger.info(e, e.type) });
 */
export type OnEvent = (event: SecurityEvent) => void;

/**
 * Call `onEvent` without letting a faulty sink affect the request.
 *
 * @example
 * emit(options.onEvent, { type: 'jwt.rejected', code: 'JWT_EXPIRED' });
 */
export function emit(onEvent: OnEvent | undefined, event: SecurityEvent): void {
  if (onEvent === undefined) return;
  try {
    onEvent(event);
  } catch {
    // A logging failure must not turn into a request failure.
  }
}
