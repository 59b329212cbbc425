import { discoveryUrl, fetchDiscovery } from '../jwt/discovery.js';
import { OAUTH_ERRORS } from './errors.js';
import {
  isSecureEndpoint,
  type ProviderFailure,
  type ProviderHttp,
  providerFailure,
} from './provider-http.js';

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

/** What the client requires of a provider beyond the shared discovery checks. */
export interface DiscoveryPolicy {
  /** Accept a provider that does not advertise `code_challenge_methods_supported` (it still must not omit S256 when it does). */
  readonly assumePkce: boolean;
}

/**
 * Fetch and check `<issuer>/.well-known/openid-configuration` through the one discovery of bulwark
 * (`jwt/discovery.ts`: exact issuer, https `jwks_uri`, the shared fetch rules), then what a relying party
 * needs on top: https authorization, token and end-session endpoints, and PKCE S256 advertised
 * (RFC 9700 §2.1.1 asks providers to publish `code_challenge_methods_supported`; without it nothing says
 * the provider will not silently ignore the challenge).
 *
 * @example
 * const metadata = await discover(http, 'https://id.example.com', { assumePkce: false });
 */
export async function discover(
  http: ProviderHttp,
  issuer: string,
  policy: DiscoveryPolicy,
): Promise<ProviderMetadata | ProviderFailure> {
  let body: Record<string, unknown>;
  try {
    body = await fetchDiscovery(issuer, http);
  } catch (err) {
    return providerFailure(discoveryUrl(issuer).href, err);
  }
  for (const endpoint of ['authorization_endpoint', 'token_endpoint'] as const) {
    if (!isSecureEndpoint(body[endpoint])) {
      return [OAUTH_ERRORS.providerUnavailable, `discovery ${endpoint} is missing or not https`];
    }
  }
  if (body.end_session_endpoint !== undefined && !isSecureEndpoint(body.end_session_endpoint)) {
    return [OAUTH_ERRORS.providerUnavailable, 'discovery end_session_endpoint is not https'];
  }
  const methods = body.code_challenge_methods_supported;
  if (methods === undefined ? !policy.assumePkce : !Array.isArray(methods) || !methods.includes('S256')) {
    return [
      OAUTH_ERRORS.providerUnavailable,
      methods === undefined
        ? 'discovery has no code_challenge_methods_supported: PKCE support is not advertised (set dangerouslyAssumePkceSupport if the provider is known to enforce S256)'
        : 'provider does not support PKCE S256',
    ];
  }
  const algs = body.id_token_signing_alg_values_supported;
  if (algs !== undefined && (!Array.isArray(algs) || algs.some((a) => typeof a !== 'string'))) {
    return [
      OAUTH_ERRORS.providerUnavailable,
      'discovery id_token_signing_alg_values_supported is not a list',
    ];
  }
  return body as unknown as ProviderMetadata;
}
