// The headers area's public exports.
export { NONCE } from './csp.js';
export type {
  CompiledCsp,
  CspDirectives,
  CspHashSource,
  CspKeyword,
  CspOptions,
  CspSandboxToken,
  CspSource,
} from './csp.js';
export { createNonce, cspHash } from './csp-sources.js';
export {
  API_PERMISSIONS_POLICY,
  DEFAULT_PERMISSIONS_POLICY,
} from './permissions-policy.js';
export type { PermissionsAllowlist, PermissionsPolicy } from './permissions-policy.js';
export { createSecurityHeaders } from './policy.js';
export type { LegacyHeaderOptions } from './extra.js';
export type {
  HeaderSource,
  HstsOptions,
  ReferrerPolicyToken,
  SecurityHeaders,
  SecurityHeadersGrant,
  SecurityHeadersOptions,
} from './policy.js';
