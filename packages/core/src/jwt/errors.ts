import { type BulwarkErrorCode, SecurityError } from '../errors.js';
import type { HeaderList } from '../verdict.js';

const invalidToken: HeaderList = [['www-authenticate', 'Bearer error="invalid_token"']];

function tokenError(code: BulwarkErrorCode, message: string): SecurityError {
  return new SecurityError({ code, status: 401, message, headers: invalidToken });
}

/**
 * The JWT denials. Shared instances: the public message never depends on the token, so a denial costs no
 * allocation and its problem+json rendering is computed once. Operator detail goes to `onEvent`.
 *
 * @example
 * if (!verdict.ok && verdict.error === JWT_ERRORS.expired) promptRefresh();
 */
export const JWT_ERRORS = {
  /** No credentials at all: RFC 6750 §3.1 says to send no error code then. */
  missing: new SecurityError({
    code: 'JWT_MISSING',
    status: 401,
    message: 'A bearer token is required.',
    headers: [['www-authenticate', 'Bearer']],
  }),
  invalidRequest: new SecurityError({
    code: 'JWT_INVALID_REQUEST',
    status: 400,
    message: 'Send exactly one bearer token, in one Authorization header.',
    headers: [['www-authenticate', 'Bearer error="invalid_request"']],
  }),
  tokenInQuery: new SecurityError({
    code: 'JWT_TOKEN_IN_QUERY',
    status: 400,
    message: 'Access tokens in the URL are refused; send them in the Authorization header.',
    headers: [['www-authenticate', 'Bearer error="invalid_request"']],
  }),
  malformed: tokenError('JWT_MALFORMED', 'The bearer token is malformed.'),
  tooLarge: tokenError('JWT_TOO_LARGE', 'The bearer token is too large.'),
  algNotAllowed: tokenError(
    'JWT_ALG_NOT_ALLOWED',
    'The token is signed with an algorithm that is not accepted.',
  ),
  keyNotFound: tokenError('JWT_KEY_NOT_FOUND', 'No key is known for this token.'),
  signatureInvalid: tokenError('JWT_SIGNATURE_INVALID', 'The token signature is invalid.'),
  expired: tokenError('JWT_EXPIRED', 'The token has expired.'),
  notYetValid: tokenError('JWT_NOT_YET_VALID', 'The token is not valid yet.'),
  issuerMismatch: tokenError(
    'JWT_ISSUER_MISMATCH',
    'The token was issued by an issuer that is not accepted.',
  ),
  audienceMismatch: tokenError('JWT_AUDIENCE_MISMATCH', 'The token is not meant for this service.'),
  claimInvalid: tokenError('JWT_CLAIM_INVALID', 'The token claims are invalid.'),
  typeInvalid: tokenError('JWT_TYPE_INVALID', 'The token is not an access token of the expected type.'),
  critUnsupported: tokenError(
    'JWT_CRIT_UNSUPPORTED',
    'The token requires a header extension this service does not support.',
  ),
  lifetimeTooLong: tokenError(
    'JWT_LIFETIME_TOO_LONG',
    'The token lifetime exceeds what this service accepts.',
  ),
  revoked: tokenError('JWT_REVOKED', 'The token has been revoked.'),
  insufficientScope: new SecurityError({
    code: 'JWT_INSUFFICIENT_SCOPE',
    status: 403,
    message: 'The token does not grant the scope this resource requires.',
    headers: [['www-authenticate', 'Bearer error="insufficient_scope"']],
  }),
  forbidden: new SecurityError({
    code: 'JWT_FORBIDDEN',
    status: 403,
    message: 'The token does not grant access to this resource.',
    headers: [['www-authenticate', 'Bearer error="insufficient_scope"']],
  }),
  revocationUnavailable: new SecurityError({
    code: 'JWT_REVOCATION_UNAVAILABLE',
    status: 503,
    message: 'Token revocation status is temporarily unavailable.',
    headers: [['retry-after', '5']],
  }),
  keysUnavailable: new SecurityError({
    code: 'JWT_KEYS_UNAVAILABLE',
    status: 503,
    message: 'Token keys are temporarily unavailable.',
    headers: [['retry-after', '5']],
  }),
} as const;
