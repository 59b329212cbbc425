import { type BulwarkErrorCode, SecurityError } from '../errors.js';

function bad(code: BulwarkErrorCode, message: string): SecurityError {
  return new SecurityError({ code, status: 400, message });
}

function unauthorized(code: BulwarkErrorCode, message: string): SecurityError {
  return new SecurityError({ code, status: 401, message });
}

/**
 * The webhook denials. Shared instances: the public message never depends on the delivery, so a denial
 * allocates nothing and renders once. The precise reason (which header, how far off the clock) goes to
 * `onEvent`. Malformed input is 400, an authentic-looking delivery that fails authentication is 401.
 *
 * @example
 * if (!verdict.ok && verdict.error.code === WEBHOOK_ERRORS.signatureMismatch.code) alertOps();
 */
export const WEBHOOK_ERRORS = {
  bodyTooLarge: new SecurityError({
    code: 'WEBHOOK_BODY_TOO_LARGE',
    status: 413,
    message: 'The webhook body is too large.',
  }),
  contentEncodingUnsupported: new SecurityError({
    code: 'WEBHOOK_CONTENT_ENCODING_UNSUPPORTED',
    status: 415,
    message: 'The webhook body must be sent without Content-Encoding.',
  }),
  contentTypeUnsupported: new SecurityError({
    code: 'WEBHOOK_CONTENT_TYPE_UNSUPPORTED',
    status: 415,
    message: 'The webhook body cannot be read as raw bytes with this Content-Type.',
  }),
  bodyEmpty: bad('WEBHOOK_BODY_EMPTY', 'The webhook body is empty.'),
  bodyNotUtf8: bad('WEBHOOK_BODY_NOT_UTF8', 'The webhook body is not valid UTF-8.'),
  headerMissing: bad('WEBHOOK_HEADER_MISSING', 'A required webhook header is missing.'),
  headerDuplicate: bad('WEBHOOK_HEADER_DUPLICATE', 'A webhook header was sent more than once.'),
  idInvalid: bad('WEBHOOK_ID_INVALID', 'The webhook event id is missing or malformed.'),
  timestampInvalid: bad('WEBHOOK_TIMESTAMP_INVALID', 'The webhook timestamp is malformed.'),
  signatureMalformed: bad('WEBHOOK_SIGNATURE_MALFORMED', 'The webhook signature header is malformed.'),
  tooManySignatures: bad(
    'WEBHOOK_TOO_MANY_SIGNATURES',
    'The webhook signature header carries too many signatures.',
  ),
  timestampOutOfRange: unauthorized(
    'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
    'The webhook timestamp is outside the accepted window.',
  ),
  signatureMismatch: unauthorized('WEBHOOK_SIGNATURE_MISMATCH', 'The webhook signature does not match.'),
  inProgress: new SecurityError({
    code: 'WEBHOOK_IN_PROGRESS',
    status: 409,
    message: 'This webhook event is being processed; retry later.',
    headers: [['retry-after', '30']],
  }),
  storeUnavailable: new SecurityError({
    code: 'WEBHOOK_STORE_UNAVAILABLE',
    status: 503,
    message: 'Webhook processing is temporarily unavailable.',
    headers: [['retry-after', '5']],
  }),
} as const;
