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
