import type { HeaderFields, SecurityError } from './errors.js';

/** A rule allowed the request: `value` is what it established (claims, identity…), `headers` go on the response. */
export interface Allowed<T> {
  readonly ok: true;
  readonly value: T;
  readonly headers: HeaderFields;
}

/** A rule refused the request. */
export interface Denied {
  readonly ok: false;
  readonly error: SecurityError;
}

/**
 * The outcome of every bulwark rule: a value, never an exception.
 *
 * @example
 * const v = await verifier.verify(req);
 * if (v.ok) use(v.value); else send(renderProblem(v.error));
 */
export type Verdict<T> = Allowed<T> | Denied;

const EMPTY: HeaderFields = Object.freeze({});

/**
 * Build an allowed verdict.
 *
 * @example
 * return allow(claims);
 */
export function allow<T>(value: T, headers: HeaderFields = EMPTY): Allowed<T> {
  return { ok: true, value, headers };
}

/**
 * Build a denied verdict.
 *
 * @example
 * return deny(JWT_ERRORS.expired());
 */
export function deny(error: SecurityError): Denied {
  return { ok: false, error };
}
