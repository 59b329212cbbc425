import { timingSafeEqual } from '../bytes/index.js';
import type { SecurityError } from '../errors.js';
import { type BulwarkEventType, emit } from '../events.js';
import { allow, deny, type Verdict } from '../verdict.js';
import { type ProviderMetadata, discover } from './discovery.js';
import { OAUTH_ERRORS } from './errors.js';
import type { IdTokenClaims } from './id-token.js';
import { createIdTokenChecker } from './id-token-keys.js';
import { checkOptions, DEFAULT_ALGORITHMS, type OidcClientOptions } from './client-options.js';
import type { FetchLike, ProviderHttp } from './provider-http.js';
import { type OidcTokens, requestTokens } from './token-endpoint.js';
import { EVENTS, type Reporting, Reporter } from '../observe/reporter.js';

export type { OidcClientOptions } from './client-options.js';

/** What the callback must match: the values stored in the login transaction. */
export interface ExpectedCallback {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** A completed login. */
export interface OidcLoginResult {
  readonly tokens: OidcTokens;
  readonly claims: IdTokenClaims;
}

/** An OpenID Connect relying party (authorization code flow with PKCE). */
export interface OidcClient extends Reporting {
  /** Discovery metadata, fetched once and cached (a failure is retried on the next call). */
  metadata(): Promise<Verdict<ProviderMetadata>>;
  /** The authorization request URL: response_type=code, PKCE S256, state, nonce. */
  authorizationUrl(request: {
    state: string;
    nonce: string;
    codeChallenge: string;
    prompt?: string;
    loginHint?: string;
  }): Promise<Verdict<string>>;
  /** Check the callback (state, RFC 9207 iss, error, code), exchange the code, validate the ID Token. */
  handleCallback(
    callback: string | URL | URLSearchParams,
    expected: ExpectedCallback,
  ): Promise<Verdict<OidcLoginResult>>;
  /** Use a refresh token; a returned ID Token is validated (same `sub` as `subject` when given). */
  refresh(
    refreshToken: string,
    options?: { subject?: string },
  ): Promise<Verdict<{ tokens: OidcTokens; claims?: IdTokenClaims }>>;
  /** RP-initiated logout URL, or undefined when the provider has no end_session_endpoint. */
  endSessionUrl(options?: {
    idTokenHint?: string;
    postLogoutRedirectUri?: string;
    state?: string;
  }): Promise<string | undefined>;
  readonly issuer: string;
  readonly clientId: string;
}

function single(params: URLSearchParams, name: string): string | undefined | null {
  const all = params.getAll(name);
  if (all.length > 1) return null;
  return all[0];
}

function usableTransaction(tx: ExpectedCallback | undefined | null): tx is ExpectedCallback {
  return (
    typeof tx === 'object' &&
    tx !== null &&
    [tx.state, tx.nonce, tx.codeVerifier].every((v) => typeof v === 'string' && v !== '')
  );
}

/**
 * Create an OpenID Connect client for the authorization code flow with PKCE. Configuration is checked here;
 * discovery happens on first use. Use {@link createOidcLogin} on top of it for the browser side (signed
 * transaction cookie, state bound to it).
 *
 * @example
 * const oidc = createOidcClient({
 *   issuer: 'https://id.example.com',
 *   clientId: 'web',
 *   clientSecret: process.env.OIDC_SECRET,
 *   redirectUri: 'https://app.example.com/auth/callback',
 *   scopes: ['openid', 'profile', 'email', 'offline_access'],
 * });
 */
export function createOidcClient(options: OidcClientOptions): OidcClient {
  checkOptions(options);
  const { issuer, clientId, redirectUri } = options;
  // Its ID Token key set reports through this too: a provider outage is logged without a hook.
  const events = new Reporter(options.onEvent, 'oauth');
  const onEvent = events.emit;
  const credentials = { clientId, clientSecret: options.clientSecret };
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  // One fetch policy for every provider call: discovery, token endpoint and the ID Token key set.
  const http: ProviderHttp = { fetch: fetchImpl, timeoutMs: options.timeoutMs ?? 5000, maxBytes: 65_536 };
  const now = options.now ?? Date.now;
  const maxAgeSeconds = options.maxAgeSeconds;
  const policy = { assumePkce: options.dangerouslyAssumePkceSupport === true };
  let cached: Promise<ProviderMetadata | readonly [SecurityError, string]> | undefined;

  async function metadata(): Promise<Verdict<ProviderMetadata>> {
    cached ??= discover(http, issuer, policy);
    const result = await cached;
    if (Array.isArray(result)) {
      cached = undefined;
      return fail('oauth.discovery_failed', result as readonly [SecurityError, string]);
    }
    return allow(result as ProviderMetadata);
  }

  const idTokens = createIdTokenChecker({
    issuer,
    clientId,
    algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
    http,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 5,
    now,
    onEvent,
  });

  function fail(type: BulwarkEventType, [error, detail]: readonly [SecurityError, string]) {
    emit(onEvent, { type, code: error.code, detail });
    return deny(error);
  }

  return {
    [EVENTS]: events,
    issuer,
    clientId,
    metadata,
    async authorizationUrl(request) {
      const meta = await metadata();
      if (!meta.ok) return meta;
      const url = new URL(meta.value.authorization_endpoint);
      const params = url.searchParams;
      params.set('response_type', 'code');
      params.set('client_id', clientId);
      params.set('redirect_uri', redirectUri);
      params.set('scope', options.scopes.join(' '));
      params.set('state', request.state);
      params.set('nonce', request.nonce);
      params.set('code_challenge', request.codeChallenge);
      params.set('code_challenge_method', 'S256');
      if (maxAgeSeconds !== undefined) params.set('max_age', String(maxAgeSeconds));
      if (request.prompt !== undefined) params.set('prompt', request.prompt);
      if (request.loginHint !== undefined) params.set('login_hint', request.loginHint);
      return allow(url.href);
    },
    async handleCallback(callback, expected) {
      const params =
        callback instanceof URLSearchParams
          ? callback
          : new URL(String(callback), 'http://callback.invalid').searchParams;
      // An app whose session lost the transaction passes {} or blanks: deny, and never let '' match ''.
      if (!usableTransaction(expected)) {
        return fail('oauth.login_rejected', [OAUTH_ERRORS.stateInvalid, 'no usable login transaction']);
      }
      const state = single(params, 'state');
      if (typeof state !== 'string' || !timingSafeEqual(state, expected.state)) {
        return fail('oauth.login_rejected', [
          OAUTH_ERRORS.stateInvalid,
          'state does not match the login transaction',
        ]);
      }
      const meta = await metadata();
      if (!meta.ok) return meta;
      const iss = single(params, 'iss');
      if (iss === null || (iss !== undefined && iss !== issuer)) {
        return fail('oauth.login_rejected', [
          OAUTH_ERRORS.issuerMismatch,
          'iss response parameter names another issuer (mix-up?)',
        ]);
      }
      if (iss === undefined && meta.value.authorization_response_iss_parameter_supported === true) {
        return fail('oauth.login_rejected', [
          OAUTH_ERRORS.issuerMismatch,
          'iss response parameter missing though the provider always sends it',
        ]);
      }
      const error = params.get('error');
      if (error !== null) {
        return fail('oauth.login_rejected', [
          OAUTH_ERRORS.authorizationDenied,
          `provider answered error=${error.slice(0, 64)}`,
        ]);
      }
      const code = single(params, 'code');
      if (typeof code !== 'string' || code === '' || code.length > 4096) {
        return fail('oauth.login_rejected', [OAUTH_ERRORS.codeMissing, 'no single code parameter']);
      }
      const tokens = await requestTokens(
        http,
        meta.value.token_endpoint,
        credentials,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: expected.codeVerifier,
        },
        OAUTH_ERRORS.codeRejected,
        now,
      );
      if (Array.isArray(tokens))
        return fail('oauth.login_rejected', tokens as readonly [SecurityError, string]);
      const set = tokens as OidcTokens;
      if (set.idToken === undefined) {
        return fail('oauth.login_rejected', [OAUTH_ERRORS.idTokenInvalid, 'token response has no id_token']);
      }
      const claims = await idTokens.check(meta.value, set.idToken, {
        nonce: expected.nonce,
        accessToken: set.accessToken,
        maxAgeSeconds,
      });
      if (Array.isArray(claims)) return fail('oauth.login_rejected', claims as [SecurityError, string]);
      const verified = claims as IdTokenClaims;
      emit(onEvent, { type: 'oauth.login', data: { sub: verified.sub } });
      return allow({ tokens: set, claims: verified });
    },
    async refresh(refreshToken, refreshOptions = {}) {
      if (typeof refreshToken !== 'string' || refreshToken === '') {
        return fail('oauth.refresh_rejected', [OAUTH_ERRORS.refreshInvalid, 'no refresh token']);
      }
      const meta = await metadata();
      if (!meta.ok) return meta;
      const tokens = await requestTokens(
        http,
        meta.value.token_endpoint,
        credentials,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        OAUTH_ERRORS.refreshInvalid,
        now,
      );
      if (Array.isArray(tokens))
        return fail('oauth.refresh_rejected', tokens as readonly [SecurityError, string]);
      const set = tokens as OidcTokens;
      if (set.idToken === undefined) return allow({ tokens: set });
      const claims = await idTokens.check(meta.value, set.idToken, {
        accessToken: set.accessToken,
        subject: refreshOptions.subject,
      });
      if (Array.isArray(claims)) return fail('oauth.refresh_rejected', claims as [SecurityError, string]);
      return allow({ tokens: set, claims: claims as IdTokenClaims });
    },
    async endSessionUrl(logout = {}) {
      const meta = await metadata();
      if (!meta.ok || meta.value.end_session_endpoint === undefined) return undefined;
      const url = new URL(meta.value.end_session_endpoint);
      url.searchParams.set('client_id', clientId);
      if (logout.idTokenHint !== undefined) url.searchParams.set('id_token_hint', logout.idTokenHint);
      if (logout.postLogoutRedirectUri !== undefined) {
        url.searchParams.set('post_logout_redirect_uri', logout.postLogoutRedirectUri);
      }
      if (logout.state !== undefined) url.searchParams.set('state', logout.state);
      return url.href;
    },
  };
}
