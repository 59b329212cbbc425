// What of bulwark's full stack (headers, CORS, rate limit, RS256 JWT) a server could assemble: the rules
// land one by one, so each stack includes what exists and records it; the report lists what was missing.

/** Parts actually applied in this server process, e.g. ['headers', 'cors', 'ratelimit', 'jwt']. */
export const included = [];
/** Parts of the intended full stack that this build of bulwark does not export yet. */
export const missing = [];

/** Mark a part included or missing; returns whether it can be used. */
export function part(name, available) {
  (available ? included : missing).push(name);
  return available;
}

import { createJwtVerifier } from '@bulwark/core';

/** Whether this build's verifier has the verified-token cache: it then refuses a nonsensical cache size. */
function hasTokenCache(base) {
  try {
    createJwtVerifier({ ...base, cache: { maxEntries: -1 } });
    return false;
  } catch {
    return true;
  }
}

/**
 * JWT verifier options for the e2e token (RS256, static public JWK, issuer and audience pinned); the
 * 'bulwark-cached' variant turns the verified-token cache on.
 */
export function jwtOptions(c, variant) {
  const base = { algorithms: ['RS256'], issuer: c.issuer, audience: c.audience, keys: c.publicJwk };
  if (variant === 'bulwark-cached' && part('jwt-cache', hasTokenCache(base))) return { ...base, cache: true };
  return base;
}
