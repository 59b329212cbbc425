import { setHeaderPairs } from '@bulwark/core/node';
import {
  createSecurityHeaders,
  ruleFrom,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import type { onRequestHookHandler } from 'fastify';

declare module 'fastify' {
  interface FastifyReply {
    /** The CSP nonce of this response, when the security-header policy uses `NONCE`. */
    cspNonce?: string;
  }
}

/** The policy for `source`: built (and validated) now, or used as given. */
export function toHeadersPolicy(
  source: SecurityHeadersOptions | SecurityHeaders | undefined,
): SecurityHeaders {
  return ruleFrom(source ?? {}, createSecurityHeaders, 'forHeaders');
}

/**
 * An `onRequest` hook that sets the security headers on every response, 404s, denials and errors
 * included. With nonces, the value is in `reply.cspNonce`. Also available as the `securityHeaders` option
 * of the `bulwark` plugin.
 *
 * @example
 * app.addHook('onRequest', securityHeaders());
 * await app.register(bulwark, { securityHeaders: { preset: 'web' } });
 */
export function securityHeaders(source?: SecurityHeadersOptions | SecurityHeaders): onRequestHookHandler {
  const policy = toHeadersPolicy(source);
  return function bulwarkSecurityHeaders(request, reply, done) {
    const applied = policy.forHeaders(request.headers);
    // Set on the node response: fastify merges these into writeHead, and its error paths keep them.
    setHeaderPairs(reply.raw, applied.headers);
    if (applied.nonce !== undefined) reply.cspNonce = applied.nonce;
    done();
  };
}
