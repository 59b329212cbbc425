/** Brand that identifies bulwark errors across duplicate installs of the package. */
const SECURITY_ERROR = Symbol.for('bulwark.SecurityError');
const CONFIG_ERROR = Symbol.for('bulwark.ConfigError');

import type { HeaderList } from './verdict.js';

/** Constructor input for {@link SecurityError}. */
export interface SecurityErrorInit {
  /** Stable UPPER_SNAKE code prefixed by area, e.g. `JWT_EXPIRED`. Documented in docs/errors.md. */
  code: string;
  /** HTTP status the adapter answers with. */
  status: number;
  /** Short public message, safe to show a client. Never contains tokens, secrets or signatures. */
  message: string;
  /** Response headers that belong to this denial (`WWW-Authenticate`, `Retry-After`…), lowercase names. */
  headers?: HeaderList;
  /** Operator detail; reported through `onEvent`, never sent to the client. */
  detail?: string;
}

/**
 * A request was refused. Returned inside a denied {@link Verdict}, not thrown: under attack denials are
 * the common case and capturing a stack for each would be slow. It therefore does not extend `Error`;
 * adapters turn it into their framework's response. Check it with {@link isSecurityError} or by `code`.
 *
 * @example
 * const verdict = await verifier.check(req);
 * if (!verdict.ok && verdict.error.code === 'JWT_EXPIRED') refreshSession();
 */
export class SecurityError {
  readonly [SECURITY_ERROR] = true;
  readonly name = 'SecurityError';
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly headers: HeaderList;
  readonly detail: string | undefined;

  constructor(init: SecurityErrorInit) {
    this.code = init.code;
    this.status = init.status;
    this.message = init.message;
    this.headers = init.headers ?? NO_HEADERS;
    this.detail = init.detail;
  }

  /**
   * Same error with an operator detail (the public part is unchanged, and so is its rendered response,
   * which is shared with this error's).
   */
  withDetail(detail: string): SecurityError {
    const copy = new SecurityError({
      code: this.code,
      status: this.status,
      message: this.message,
      headers: this.headers,
      detail,
    });
    publicForms.set(copy, publicFormOf(this));
    return copy;
  }

  toJSON(): { code: string; status: number; message: string } {
    return { code: this.code, status: this.status, message: this.message };
  }
}

const NO_HEADERS: HeaderList = Object.freeze([]);

// Errors that differ only by their operator detail answer the same: they share one public form, so the
// rendered problem response is cached once per public error, not once per detail.
const publicForms = new WeakMap<SecurityError, SecurityError>();

/**
 * The error a detailed copy was made from (itself when it is not a copy): what clients see of it.
 *
 * @example
 * publicFormOf(JWT_ERRORS.malformed.withDetail('x')) === JWT_ERRORS.malformed // true
 */
export function publicFormOf(error: SecurityError): SecurityError {
  return publicForms.get(error) ?? error;
}

/**
 * True when `value` is a bulwark {@link SecurityError}, even one created by another copy of the package.
 *
 * @example
 * if (isSecurityError(err)) res.status(err.status);
 */
export function isSecurityError(value: unknown): value is SecurityError {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SECURITY_ERROR] === true
  );
}

/**
 * Invalid configuration, thrown once when a policy is constructed, never at request time.
 * The message names the option path, what is wrong and the safe alternative.
 *
 * @example
 * try { createJwtVerifier({ algorithms: ['none'] }); } catch (e) { if (isConfigError(e)) console.error(e.option); }
 */
export class ConfigError extends Error {
  readonly [CONFIG_ERROR] = true;
  readonly code = 'CONFIG_INVALID';
  /** Dotted path of the offending option, e.g. `jwt.algorithms[0]`. */
  readonly option: string;

  constructor(option: string, problem: string, safeAlternative: string) {
    super(`${option}: ${problem}; ${safeAlternative}`);
    this.name = 'ConfigError';
    this.option = option;
  }
}

/**
 * True when `value` is a bulwark {@link ConfigError}, even one created by another copy of the package.
 *
 * @example
 * if (isConfigError(err)) process.exit(1);
 */
export function isConfigError(value: unknown): value is ConfigError {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CONFIG_ERROR] === true
  );
}
