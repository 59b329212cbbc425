// The oauth area's public exports.
export { OAUTH_ERRORS } from './errors.js';
export type { SecretInput } from './hmac-keys.js';
export { createPkcePair, pkceChallenge, verifyPkce } from './pkce.js';
export type { PkcePair } from './pkce.js';
export { createStateCodec } from './state.js';
export type { StateCodec, StateCodecOptions, VerifiedState } from './state.js';
export { createRedirectUriMatcher } from './redirect-uri.js';
export type { RedirectUriMatcher, RedirectUriMatcherOptions } from './redirect-uri.js';
export { createRefreshTokenRotator } from './refresh.js';
export type { IssuedRefreshToken, RefreshTokenRotator, RefreshTokenRotatorOptions } from './refresh.js';
export { createOidcClient } from './client.js';
export type { ExpectedCallback, OidcClient, OidcClientOptions, OidcLoginResult } from './client.js';
export type { ProviderMetadata } from './discovery.js';
export { tokenHash } from './id-token.js';
export type { IdTokenClaims } from './id-token.js';
export type { FetchLike } from './provider-http.js';
export type { OidcTokens } from './token-endpoint.js';
export { readCookies, serializeCookie } from './cookie.js';
export type { CookieAttributes } from './cookie.js';
export { createOidcLogin, safeReturnTo } from './login.js';
export type {
  FinishedLogin,
  OidcLogin,
  OidcLoginOptions,
  OidcLogoutOptions,
  OidcStartOptions,
} from './login.js';
export type { LoginTransaction } from './transaction.js';
export { oidcLogout } from './routes.js';
export type { OidcRouteHandlers, OidcRoutesOptions } from './routes.js';
