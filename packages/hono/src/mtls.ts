import {
  createMtlsVerifier,
  type MtlsPeer,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  ruleFor,
} from '@bulwark/core';
import type { MiddlewareHandler } from 'hono';
import { proceed, requestOf, stop } from './context.js';

/** What {@link requireMtls} puts in `c.var`. */
export interface MtlsVariables {
  /** The authenticated and authorized TLS client. */
  mtls: MtlsPeer;
}

/**
 * Require an authorized mTLS client. Serve the app with @hono/node-server over
 * `https.createServer` with `mtlsServerOptions(...)` (from `@bulwark/core/node`) so the handshake refuses
 * certificates from other CAs; this middleware then identifies the peer (SPIFFE ID from its single URI
 * SAN, read from the socket in `c.env.incoming`) and applies the route policy. On success `c.var.mtls`
 * holds the peer; otherwise 401/403 problem+json, thrown as an `HTTPException`. A forwarded-certificate
 * header from a peer that is not a trusted proxy is removed before anything downstream reads it. A
 * `decisionPoint` (e.g. `createOpaAuthorizer`) is awaited; its failure or timeout answers 503.
 *
 * @example
 * app.post('/payments', requireMtls({ authorize: authorizePathPrefix('corp.example.com', '/ns/checkout') }),
 *   (c) => c.json({ caller: c.var.mtls.spiffeId?.id }));
 */
export function requireMtls(
  source: MtlsVerifierOptions | MtlsVerifier,
): MiddlewareHandler<{ Variables: MtlsVariables }> {
  const verifier = ruleFor(source, 'mtls', createMtlsVerifier);
  return async function bulwarkMtls(c, next) {
    // Synchronous unless a decisionPoint (a policy engine) is configured.
    const pending = verifier.checkRequest(requestOf(c));
    const verdict = pending instanceof Promise ? await pending : pending;
    if (!verdict.ok) return stop(verdict);
    c.set('mtls', verdict.value);
    await proceed(c, next, verdict);
  };
}
