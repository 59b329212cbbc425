import type { SecurityError } from './errors.js';
import { renderProblem } from './http/problem.js';

/** One response header: a lowercase name and its value. */
export type HeaderPair = readonly [name: string, value: string];

/**
 * The one header shape of bulwark: an ordered list of pairs. A name may repeat (`set-cookie`); the writers
 * of `@bulwark/core/node` and {@link withHeaders} merge `vary` with what the response already varies on
 * and append `set-cookie`, and set every other field.
 */
export type HeaderList = readonly HeaderPair[];

/** A complete answer an adapter writes as it is: status, headers and an optional body. */
export interface Reply {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body?: string;
}

/**
 * The rule lets the request continue to the handler. `value` is what it established (claims, the peer, the
 * delivery…); `headers` go on the response whatever the handler answers.
 */
export interface Allowed<T> {
  readonly ok: true;
  readonly value: T;
  readonly headers: HeaderList;
  /**
   * Set when the rule failed OPEN: the error it would have answered had it been configured to fail closed
   * (`RATELIMIT_STORE_UNAVAILABLE` while the store is down). The request goes on; operators see why.
   */
  readonly degraded?: SecurityError;
  /**
   * Request headers (lowercase names) the adapter removes before anything downstream reads them: a
   * forwarded client certificate sent by a peer that is not a trusted proxy.
   */
  readonly strip?: readonly string[];
}

/** The rule refused the request: `reply` is the RFC 9457 problem response, with the rule's own headers. */
export interface Denied {
  readonly ok: false;
  readonly error: SecurityError;
  readonly reply: Reply;
}

/**
 * The rule answered the request itself and the handler must not run: a CORS preflight (204), a webhook
 * delivery already processed (200), an OIDC login step (a redirect with its cookie).
 */
export interface Answered {
  readonly ok: false;
  readonly error?: undefined;
  readonly reply: Reply;
}

/**
 * What every request rule decides: continue (`ok`), or answer with `reply`, a denial or an answer of the
 * rule's own. An adapter sets `headers` and continues, or writes `reply`; it decides nothing else.
 *
 * @example
 * const v = await rule.check(req);
 * if (v.ok) { setHeaders(res, v.headers); next(); } else writeReply(res, v.reply);
 */
export type Verdict<T> = Allowed<T> | Denied | Answered;

/**
 * The internal outcome of one step: a value, or the failure. Request steps fail with a
 * {@link SecurityError} (its `detail` says why, for operators); parsers and authorizers whose caller picks
 * the error fail with a reason string.
 *
 * @example
 * const r: Result<number> = ok(42);
 * if (!r.ok) return deny(r.error);
 */
export type Result<T, E = SecurityError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

/** The empty header list, shared. */
export const NO_HEADERS: HeaderList = Object.freeze([]);

/**
 * A successful {@link Result}.
 *
 * @example
 * return ok(parsed);
 */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/**
 * A failed {@link Result}.
 *
 * @example
 * return fail(JWT_ERRORS.malformed.withDetail('three parts expected'));
 */
export function fail<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/**
 * Build an allowed verdict.
 *
 * @example
 * return allow(claims);
 */
export function allow<T>(value: T, headers: HeaderList = NO_HEADERS): Allowed<T> {
  return { ok: true, value, headers };
}

/**
 * An allowed verdict from a rule that failed open: `degraded` is the error it would otherwise answer.
 *
 * @example
 * return allowDegraded(info, RATELIMIT_ERRORS.storeUnavailable);
 */
export function allowDegraded<T>(
  value: T,
  degraded: SecurityError,
  headers: HeaderList = NO_HEADERS,
): Allowed<T> {
  return { ok: true, value, headers, degraded };
}

/**
 * Build a denied verdict: the problem response of `error` (rendered once per error and cached), plus the
 * rule's own `headers` (Vary, RateLimit…).
 *
 * @example
 * return deny(JWT_ERRORS.expired);
 */
export function deny(error: SecurityError, headers: HeaderList = NO_HEADERS): Denied {
  return { ok: false, error, reply: renderProblem(error, headers) };
}

/**
 * Build an answered verdict: the rule's own reply, the handler does not run.
 *
 * @example
 * return answer({ status: 204, headers: preflightHeaders });
 */
export function answer(reply: Reply): Answered {
  return { ok: false, reply };
}
