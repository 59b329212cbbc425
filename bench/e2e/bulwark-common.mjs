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

import { createJwtVerifier, createSecurityHeaders } from '@bulwark/core';
import { DENY_BODY } from './config.mjs';

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

export { BARE_POST_BODY, DENY_BODY, WEBHOOK_PATH, WEBHOOK_REQUEST } from './config.mjs';

/** Verifier options of the webhook route: GitHub's scheme (X-Hub-Signature-256: sha256=<hex HMAC of the body>). */
export function webhookOptions(c) {
  return { scheme: 'github', secrets: c.webhookSecret };
}

/**
 * The `static-headers` floor: the header pairs that `bulwark-nojwt`'s 200 carries besides the framework's own
 * (security headers, the CORS grant and Vary, RateLimit-Policy and RateLimit), as constants. Each app sets them
 * in the cheapest public way its framework has for an app-wide header; e2e.mjs checks, before timing, that the
 * response then carries the same header names as bulwark-nojwt's.
 */
export function staticHeaderPairs(c) {
  const security = createSecurityHeaders({}).check({
    header: (n) => (n === 'authorization' ? 'x' : undefined),
  });
  return [
    ...security.headers,
    ['access-control-allow-origin', c.origin],
    ['vary', 'Origin'],
    ['ratelimit-policy', `"ip";q=${c.limit};w=${(c.windowMs ?? 60_000) / 1000}`],
    ['ratelimit', `"ip";r=${c.limit - 1};t=0`],
  ];
}

/**
 * The `bare-deny` floor's header pairs besides the framework's own: those of static-headers (every response's),
 * the challenge, and the problem's content type as `contentType` (which the adapters spell differently: fastify
 * and NestJS add `; charset=utf-8`); with `length`, the Content-Length too (for writeHead, which would chunk).
 */
export function denyHeaderPairs(c, contentType, length = false) {
  return [
    ...staticHeaderPairs(c),
    ['www-authenticate', 'Bearer error="invalid_token"'],
    ['content-type', contentType],
    ...(length ? [['content-length', String(Buffer.byteLength(DENY_BODY))]] : []),
  ];
}

/**
 * The error the `bare-error` floor hands its framework's error pipeline for every request: a plain Error built
 * without a stack trace (as bulwark's denials are: one per refusal, stackless), carrying the status the
 * framework's error handlers read (`statusCode`, and `status` for Nest's and express's conventions).
 */
export class FloorDenial extends Error {
  constructor() {
    super('denied');
    this.statusCode = 401;
    this.status = 401;
  }

  /** One per request, without capturing a stack (Error.stackTraceLimit 0 while it is built). */
  static make() {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new FloorDenial();
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
