import {
  type ProviderFailure,
  type ProviderHttp,
  isFailure,
  isSecureEndpoint,
  requestJson,
} from './provider-http.js';
import { OAUTH_ERRORS } from './errors.js';

/** The provider metadata bulwark relies on (OpenID Connect Discovery 1.0 §3, RFC 8414). */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly end_session_endpoint?: string;
  readonly id_token_signing_alg_values_supported?: readonly string[];
  readonly code_challenge_methods_supported?: readonly string[];
  /** RFC 9207: the provider always sends `iss` in authorization responses. */
  readonly authorization_response_iss_parameter_supported?: boolean;
  readonly [member: string]: unknown;
}

/**
 * Fetch and check `<issuer>/.well-known/openid-configuration`. The `issuer` in the document must equal the
 * configured one exactly (Discovery §4.3: otherwise a provider could speak for another), and every endpoint
 * must be https (or loopback http).
 *
 * @example
 * const metadata = await discover(http, 'https://id.example.com');
 */
export async function discover(
  http: ProviderHttp,
  issuer: string,
): Promise<ProviderMetadata | ProviderFailure> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const answer = await requestJson(http, url, { method: 'GET' });
  if (isFailure(answer)) return answer;
  const [status, body] = answer;
  if (status !== 200) return [OAUTH_ERRORS.providerUnavailable, `discovery answered ${status}`];
  if (body.issuer !== issuer) {
    return [
      OAUTH_ERRORS.providerUnavailable,
      `discovery document names issuer ${JSON.stringify(String(body.issuer).slice(0, 200))}, expected ${issuer}`,
    ];
  }
  for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (!isSecureEndpoint(body[endpoint])) {
      return [OAUTH_ERRORS.providerUnavailable, `discovery ${endpoint} is missing or not https`];
    }
  }
  if (body.end_session_endpoint !== undefined && !isSecureEndpoint(body.end_session_endpoint)) {
    return [OAUTH_ERRORS.providerUnavailable, 'discovery end_session_endpoint is not https'];
  }
  const methods = body.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256')) {
    return [OAUTH_ERRORS.providerUnavailable, 'provider does not support PKCE S256'];
  }
  return body as unknown as ProviderMetadata;
}
