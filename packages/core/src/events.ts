/**
 * A security event reported by a rule. `type` is stable (`area.what`), `code` is the {@link SecurityError}
 * code for denials. `detail` is for operators and may name the reason precisely, but never carries a
 * token, secret or signature.
 */
export interface SecurityEvent {
  /** e.g. `jwt.verified`, `jwt.rejected`, `ratelimit.limited`, `webhook.replayed`, `refresh.reuse_detected`. */
  readonly type: string;
  /** Stable error code for denials. */
  readonly code?: string;
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
