import { SecurityError } from '../errors.js';

/**
 * The mTLS denials. Shared instances: the public message never depends on the certificate; the precise
 * reason (which ID, which rule) goes to `onEvent` as `mtls.rejected`.
 *
 * Certificate problems answer 401 without `WWW-Authenticate`: TLS client authentication has no HTTP
 * challenge scheme, and the fix (present a valid certificate) happens below HTTP.
 *
 * @example
 * if (!verdict.ok && verdict.error.code === MTLS_ERRORS.peerDenied.code) alertOnCall();
 */
export const MTLS_ERRORS = {
  certificateRequired: new SecurityError({
    code: 'MTLS_CERT_REQUIRED',
    status: 401,
    message: 'A verified client certificate is required.',
  }),
  identityInvalid: new SecurityError({
    code: 'MTLS_IDENTITY_INVALID',
    status: 401,
    message: 'The client certificate does not carry a usable identity.',
  }),
  forwardedCertificateInvalid: new SecurityError({
    code: 'MTLS_FORWARDED_CERT_INVALID',
    status: 401,
    message: 'The forwarded client certificate could not be read.',
  }),
  peerDenied: new SecurityError({
    code: 'MTLS_PEER_DENIED',
    status: 403,
    message: 'This client is not allowed to call this endpoint.',
  }),
  authorizerUnavailable: new SecurityError({
    code: 'MTLS_AUTHORIZER_UNAVAILABLE',
    status: 503,
    message: 'The authorization service is temporarily unavailable.',
    headers: [['retry-after', '5']],
  }),
  tokenBindingMismatch: new SecurityError({
    code: 'MTLS_TOKEN_BINDING_MISMATCH',
    status: 401,
    message: 'The access token is bound to a different client certificate.',
    headers: [['www-authenticate', 'Bearer error="invalid_token"']],
  }),
  tokenNotBound: new SecurityError({
    code: 'MTLS_TOKEN_NOT_BOUND',
    status: 401,
    message: 'A certificate-bound access token is required.',
    headers: [['www-authenticate', 'Bearer error="invalid_token"']],
  }),
} as const;
