/** Brand that identifies bulwark errors across duplicate installs of the package. */
const SECURITY_ERROR = Symbol.for('bulwark.SecurityError');
const CONFIG_ERROR = Symbol.for('bulwark.ConfigError');

import type { HeaderList } from './verdict.js';

/**
 * Every code a bulwark error carries (`AREA_WHAT`): the denials of every rule and adapter, `CONFIG_INVALID`
 * (a {@link ConfigError}) and `STORE_FULL` (a memory store that may not evict). Each is documented in
 * docs/errors.md; a test keeps this list, the codes produced and that page the same. @bulwark/redis and
 * @bulwark/cli have their own (`RedisStoreErrorCode`, `ProbeErrorCode`).
 *
 * @example
 * const retryable: ReadonlySet<BulwarkErrorCode> = new Set(['RATELIMIT_EXCEEDED', 'JWT_KEYS_UNAVAILABLE']);
 */
export type BulwarkErrorCode =
  | 'CONFIG_INVALID'
  | 'CORS_HEADERS_DENIED'
  | 'CORS_METHOD_DENIED'
  | 'CORS_ORIGIN_DENIED'
  | 'DPOP_ALG_NOT_ALLOWED'
  | 'DPOP_ATH_MISMATCH'
  | 'DPOP_BOUND_TOKEN_AS_BEARER'
  | 'DPOP_HTM_MISMATCH'
  | 'DPOP_HTU_MISMATCH'
  | 'DPOP_KEY_INVALID'
  | 'DPOP_KEY_MISMATCH'
  | 'DPOP_NONCE_REQUIRED'
  | 'DPOP_PROOF_EXPIRED'
  | 'DPOP_PROOF_MALFORMED'
  | 'DPOP_PROOF_MISSING'
  | 'DPOP_PROOF_MULTIPLE'
  | 'DPOP_PROOF_NOT_YET_VALID'
  | 'DPOP_PROOF_REPLAYED'
  | 'DPOP_PROOF_TOO_LARGE'
  | 'DPOP_PROOF_TYPE_INVALID'
  | 'DPOP_REPLAY_UNAVAILABLE'
  | 'DPOP_REQUIRED'
  | 'DPOP_SIGNATURE_INVALID'
  | 'DPOP_TOKEN_NOT_BOUND'
  | 'HTTP_BODY_TOO_LARGE'
  | 'HTTP_INTERNAL_ERROR'
  | 'JWT_ALG_NOT_ALLOWED'
  | 'JWT_AUDIENCE_MISMATCH'
  | 'JWT_CLAIM_INVALID'
  | 'JWT_CRIT_UNSUPPORTED'
  | 'JWT_EXPIRED'
  | 'JWT_FORBIDDEN'
  | 'JWT_INSUFFICIENT_SCOPE'
  | 'JWT_INVALID_REQUEST'
  | 'JWT_ISSUER_MISMATCH'
  | 'JWT_KEYS_UNAVAILABLE'
  | 'JWT_KEY_NOT_FOUND'
  | 'JWT_LIFETIME_TOO_LONG'
  | 'JWT_MALFORMED'
  | 'JWT_MISSING'
  | 'JWT_NOT_YET_VALID'
  | 'JWT_REVOCATION_UNAVAILABLE'
  | 'JWT_REVOKED'
  | 'JWT_SIGNATURE_INVALID'
  | 'JWT_TOKEN_IN_QUERY'
  | 'JWT_TOO_LARGE'
  | 'JWT_TYPE_INVALID'
  | 'MTLS_AUTHORIZER_UNAVAILABLE'
  | 'MTLS_CERT_REQUIRED'
  | 'MTLS_FORWARDED_CERT_INVALID'
  | 'MTLS_IDENTITY_INVALID'
  | 'MTLS_PEER_DENIED'
  | 'MTLS_TOKEN_BINDING_MISMATCH'
  | 'MTLS_TOKEN_NOT_BOUND'
  | 'OAUTH_AUTHORIZATION_DENIED'
  | 'OAUTH_CODE_MISSING'
  | 'OAUTH_CODE_REJECTED'
  | 'OAUTH_ID_TOKEN_INVALID'
  | 'OAUTH_ISSUER_MISMATCH'
  | 'OAUTH_NONCE_MISMATCH'
  | 'OAUTH_PKCE_INVALID'
  | 'OAUTH_PROVIDER_UNAVAILABLE'
  | 'OAUTH_REDIRECT_URI_MISMATCH'
  | 'OAUTH_REFRESH_CLIENT_MISMATCH'
  | 'OAUTH_REFRESH_INVALID'
  | 'OAUTH_REFRESH_REUSED'
  | 'OAUTH_STATE_EXPIRED'
  | 'OAUTH_STATE_INVALID'
  | 'OAUTH_STATE_REPLAYED'
  | 'OAUTH_STORE_UNAVAILABLE'
  | 'OAUTH_TRANSACTION_MISSING'
  | 'RATELIMIT_CLIENT_IP_UNKNOWN'
  | 'RATELIMIT_EXCEEDED'
  | 'RATELIMIT_STORE_UNAVAILABLE'
  | 'STORE_FULL'
  | 'WEBHOOK_BODY_EMPTY'
  | 'WEBHOOK_BODY_NOT_UTF8'
  | 'WEBHOOK_BODY_TOO_LARGE'
  | 'WEBHOOK_CONTENT_ENCODING_UNSUPPORTED'
  | 'WEBHOOK_CONTENT_TYPE_UNSUPPORTED'
  | 'WEBHOOK_HEADER_DUPLICATE'
  | 'WEBHOOK_HEADER_MISSING'
  | 'WEBHOOK_ID_INVALID'
  | 'WEBHOOK_IN_PROGRESS'
  | 'WEBHOOK_SIGNATURE_MALFORMED'
  | 'WEBHOOK_SIGNATURE_MISMATCH'
  | 'WEBHOOK_STORE_UNAVAILABLE'
  | 'WEBHOOK_TIMESTAMP_INVALID'
  | 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE'
  | 'WEBHOOK_TOO_MANY_SIGNATURES';

/** Constructor input for {@link SecurityError}. */
export interface SecurityErrorInit {
  /** Stable UPPER_SNAKE code prefixed by area, e.g. `JWT_EXPIRED`. Documented in docs/errors.md. */
  code: BulwarkErrorCode;
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
  readonly code: BulwarkErrorCode;
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

  toJSON(): { code: BulwarkErrorCode; status: number; message: string } {
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

/**
 * Build an exception without capturing a stack trace. For the denials an adapter throws into its framework's
 * error pipeline: under attack they are the common case, their stack would only point into the adapter,
 * and capturing it is most of their cost.
 *
 * @example
 * throw withoutStackTrace(() => new HttpException(verdict.error.toJSON(), verdict.reply.status));
 */
export function withoutStackTrace<E>(build: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
