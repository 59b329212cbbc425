import type { SecurityError } from '../errors.js';
import { OAUTH_ERRORS } from './errors.js';
import { type ProviderHttp, isFailure, requestJson } from './provider-http.js';

/** Tokens returned by the provider. */
export interface OidcTokens {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly idToken?: string;
  readonly refreshToken?: string;
  /** Epoch ms, from `expires_in`. */
  readonly expiresAt?: number;
  readonly scope?: string;
}

/** Client credentials for the token endpoint. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
}

// RFC 6749 §2.3.1: client_id and secret are form-urlencoded before going into Basic.
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/**
 * POST a grant to the token endpoint (client_secret_basic for confidential clients, client_id in the body
 * for public ones) and read a successful token response (RFC 6749 §5.1). `rejected` is the denial used
 * when the provider refuses the grant (`invalid_grant`…).
 *
 * @example
 * const r = await requestTokens(http, tokenEndpoint, creds, { grant_type: 'refresh_token', refresh_token }, OAUTH_ERRORS.refreshInvalid, now);
 */
export async function requestTokens(
  http: ProviderHttp,
  tokenEndpoint: string,
  credentials: ClientCredentials,
  grant: Record<string, string>,
  rejected: SecurityError,
  now: () => number,
): Promise<OidcTokens | readonly [SecurityError, string]> {
  const body = new URLSearchParams(grant);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (credentials.clientSecret !== undefined) {
    const basic = `${formEncode(credentials.clientId)}:${formEncode(credentials.clientSecret)}`;
    headers.authorization = `Basic ${btoa(basic)}`;
  } else {
    body.set('client_id', credentials.clientId);
  }
  const answer = await requestJson(http, tokenEndpoint, { method: 'POST', headers, body: body.toString() });
  if (isFailure(answer)) return answer;
  const [status, json] = answer;
  if (status >= 500) return [OAUTH_ERRORS.providerUnavailable, `token endpoint answered ${status}`];
  if (status !== 200) {
    const error = typeof json.error === 'string' ? json.error.slice(0, 64) : 'unknown';
    return [rejected, `token endpoint refused the ${grant.grant_type} grant: ${status} ${error}`];
  }
  const { access_token, token_type, id_token, refresh_token, expires_in, scope } = json;
  if (typeof access_token !== 'string' || access_token === '') {
    return [OAUTH_ERRORS.providerUnavailable, 'token response has no access_token'];
  }
  if (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer') {
    return [OAUTH_ERRORS.providerUnavailable, `token_type ${String(token_type).slice(0, 20)} is not Bearer`];
  }
  return {
    accessToken: access_token,
    tokenType: 'Bearer',
    ...(typeof id_token === 'string' ? { idToken: id_token } : {}),
    ...(typeof refresh_token === 'string' ? { refreshToken: refresh_token } : {}),
    ...(typeof expires_in === 'number' && expires_in > 0 ? { expiresAt: now() + expires_in * 1000 } : {}),
    ...(typeof scope === 'string' ? { scope } : {}),
  };
}
