import { checkOptions as checkKnownKeys, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import type { OnEvent } from '../events.js';
import { type FetchLike, isSecureEndpoint } from './provider-http.js';

/** Options of {@link createOidcClient}. */
export interface OidcClientOptions {
  /** The provider's issuer identifier, exactly as its discovery document states it. https (or loopback http). */
  issuer: string;
  clientId: string;
  /** For confidential clients (client_secret_basic). Omit for public clients; PKCE protects the code either way. */
  clientSecret?: string;
  /** This app's callback URL, registered exactly at the provider. */
  redirectUri: string;
  /** Must include `openid`. */
  scopes: readonly string[];
  /** Accepted ID Token algorithms. Default RS256, PS256, ES256, EdDSA; HS* and `none` are refused. */
  algorithms?: readonly string[];
  /** Sent as `max_age` (seconds); `auth_time` is then required and checked. */
  maxAgeSeconds?: number;
  /** Timeout of each provider call. Default 5000 ms. */
  timeoutMs?: number;
  /** Clock skew tolerated on ID Token times, seconds. Default 5. */
  clockToleranceSeconds?: number;
  /**
   * fetch implementation for every provider call (discovery, token endpoint, ID Token keys); default the
   * global one (undici on Node).
   */
  fetch?: FetchLike;
  /**
   * Accept a provider whose discovery document does not list `code_challenge_methods_supported` (some
   * enforce PKCE without saying so). Without it such a provider is refused, since nothing says it will not
   * ignore the challenge, which leaves a stolen code redeemable. A provider that lists the methods must
   * still include S256.
   */
  dangerouslyAssumePkceSupport?: true;
  /**
   * Receives `oauth.login_rejected`, `oauth.refresh_rejected`, `oauth.login`, `oauth.discovery_failed`, and
   * the key-set events of the ID Token keys (`jwt.jwks_refreshed`, `jwt.jwks_failed`, `jwt.jwks_key_skipped`).
   */
  onEvent?: OnEvent;
  /** Clock in ms, for tests. */
  now?: () => number;
}

const CLIENT_KEYS = optionKeys<OidcClientOptions>()(
  'issuer',
  'clientId',
  'clientSecret',
  'redirectUri',
  'scopes',
  'algorithms',
  'maxAgeSeconds',
  'timeoutMs',
  'clockToleranceSeconds',
  'fetch',
  'dangerouslyAssumePkceSupport',
  'onEvent',
  'now',
);

/** ID Token algorithms accepted when none are configured. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

/**
 * Validate {@link OidcClientOptions} once, at construction.
 *
 * @example
 * checkOptions(options); // throws ConfigError naming the option
 */
export function checkOptions(options: OidcClientOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('oauth', 'options are required', 'pass issuer, clientId, redirectUri and scopes');
  }
  checkKnownKeys('oauth', options, CLIENT_KEYS);
  if (!isSecureEndpoint(options.issuer)) {
    throw new ConfigError(
      'oauth.issuer',
      'must be an https URL (http only on loopback)',
      'use the https issuer identifier',
    );
  }
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new ConfigError('oauth.clientId', 'is required', 'set the client id registered at the provider');
  }
  if (
    options.clientSecret !== undefined &&
    (typeof options.clientSecret !== 'string' || options.clientSecret === '')
  ) {
    throw new ConfigError(
      'oauth.clientSecret',
      'is empty',
      'omit it for a public client or set the real secret',
    );
  }
  if (!isSecureEndpoint(options.redirectUri) || new URL(options.redirectUri).href !== options.redirectUri) {
    throw new ConfigError(
      'oauth.redirectUri',
      'must be a canonical https URL (http only on loopback)',
      'register and use the exact callback URL',
    );
  }
  if (
    !Array.isArray(options.scopes) ||
    !options.scopes.includes('openid') ||
    options.scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
  ) {
    throw new ConfigError(
      'oauth.scopes',
      "must be a list of scope tokens including 'openid'",
      "use e.g. ['openid', 'profile', 'email']",
    );
  }
  for (const [i, alg] of (options.algorithms ?? []).entries()) {
    if (!ASYMMETRIC.test(alg)) {
      throw new ConfigError(
        `oauth.algorithms[${i}]`,
        `${alg} is not an accepted ID Token algorithm`,
        'use RS256, PS256, ES256 or EdDSA',
      );
    }
  }
  if (options.algorithms !== undefined && options.algorithms.length === 0) {
    throw new ConfigError('oauth.algorithms', 'is empty', 'omit it to use RS256, PS256, ES256, EdDSA');
  }
  // Seconds since the user last authenticated; a year is far beyond any re-authentication policy.
  numberOption('oauth.maxAgeSeconds', options.maxAgeSeconds, { min: 0, max: 31_536_000 });
  if (options.dangerouslyAssumePkceSupport !== undefined && options.dangerouslyAssumePkceSupport !== true) {
    throw new ConfigError(
      'oauth.dangerouslyAssumePkceSupport',
      'must be true or left out',
      'leave it out unless your provider enforces S256 without advertising it',
    );
  }
  numberOption('oauth.timeoutMs', options.timeoutMs, { min: 100, max: 60_000, fallback: 5_000 });
  numberOption('oauth.clockToleranceSeconds', options.clockToleranceSeconds, {
    min: 0,
    max: 300,
    integer: false,
    fallback: 5,
  });
}
