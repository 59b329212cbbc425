import { SecurityError } from '../errors.js';

/**
 * The CORS denials, shared instances. A refused preflight is answered 403 without any grant header, so
 * the browser blocks the real request; the route handler never runs for a preflight.
 *
 * @example
 * if (result.kind === 'denied' && result.error === CORS_ERRORS.originDenied) count('cors');
 */
export const CORS_ERRORS = {
  originDenied: new SecurityError({
    code: 'CORS_ORIGIN_DENIED',
    status: 403,
    message: 'This origin is not allowed to make cross-origin requests.',
  }),
  methodDenied: new SecurityError({
    code: 'CORS_METHOD_DENIED',
    status: 403,
    message: 'This method is not allowed for cross-origin requests.',
  }),
  headersDenied: new SecurityError({
    code: 'CORS_HEADERS_DENIED',
    status: 403,
    message: 'A requested header is not allowed for cross-origin requests.',
  }),
} as const;
