import { type BulwarkErrorCode, SecurityError } from '../errors.js';

function loginError(code: BulwarkErrorCode, message: string): SecurityError {
  return new SecurityError({ code, status: 400, message });
}

// RFC 6749 §5.2: a refresh token that is invalid, expired, revoked or reused is `invalid_grant`, status 400.
function grantError(code: BulwarkErrorCode): SecurityError {
  return new SecurityError({ code, status: 400, message: 'The refresh token is invalid.' });
}

/**
 * The OAuth/OIDC denials. Shared instances: the public message never depends on the input, so the user
 * sees "login failed, try again" while the precise reason goes to `onEvent`.
 *
 * @example
 * if (!verdict.ok && verdict.error.code === OAUTH_ERRORS.stateExpired.code) restartLogin();
 */
export const OAUTH_ERRORS = {
  stateInvalid: loginError('OAUTH_STATE_INVALID', 'The login request is invalid; please sign in again.'),
  stateExpired: loginError('OAUTH_STATE_EXPIRED', 'The login request has expired; please sign in again.'),
  stateReplayed: loginError(
    'OAUTH_STATE_REPLAYED',
    'The login request was already used; please sign in again.',
  ),
  transactionMissing: loginError(
    'OAUTH_TRANSACTION_MISSING',
    'No login is in progress in this browser; please sign in again.',
  ),
  authorizationDenied: loginError('OAUTH_AUTHORIZATION_DENIED', 'The identity provider refused the login.'),
  issuerMismatch: loginError('OAUTH_ISSUER_MISMATCH', 'The login response came from an unexpected issuer.'),
  codeMissing: loginError('OAUTH_CODE_MISSING', 'The login response carries no authorization code.'),
  codeRejected: loginError(
    'OAUTH_CODE_REJECTED',
    'The authorization code was refused; please sign in again.',
  ),
  idTokenInvalid: loginError('OAUTH_ID_TOKEN_INVALID', 'The identity token is invalid.'),
  nonceMismatch: loginError('OAUTH_NONCE_MISMATCH', 'The identity token does not belong to this login.'),
  redirectUriMismatch: loginError(
    'OAUTH_REDIRECT_URI_MISMATCH',
    'The redirect_uri is not registered for this client.',
  ),
  pkceInvalid: loginError('OAUTH_PKCE_INVALID', 'The PKCE code verifier is missing or does not match.'),
  refreshInvalid: grantError('OAUTH_REFRESH_INVALID'),
  refreshReused: grantError('OAUTH_REFRESH_REUSED'),
  refreshClientMismatch: grantError('OAUTH_REFRESH_CLIENT_MISMATCH'),
  providerUnavailable: new SecurityError({
    code: 'OAUTH_PROVIDER_UNAVAILABLE',
    status: 503,
    message: 'The identity provider is temporarily unavailable.',
    headers: [['retry-after', '5']],
  }),
  storeUnavailable: new SecurityError({
    code: 'OAUTH_STORE_UNAVAILABLE',
    status: 503,
    message: 'The service is temporarily unavailable.',
    headers: [['retry-after', '5']],
  }),
} as const;
