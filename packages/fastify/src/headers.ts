import {
  createSecurityHeaders,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import { setHeaders } from '@bulwark/core/node';
import type { onRequestHookHandler } from 'fastify';
import { requestOf } from './reply.js';

declare module 'fastify' {
  interface FastifyReply {
    /** The CSP nonce of this response, when the security-header policy uses `NONCE`. */
    cspNonce?: string;
  }
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
export function securityHeaders(source: SecurityHeadersOptions | SecurityHeaders = {}): onRequestHookHandler {
  const policy = ruleFor(source, 'headers', createSecurityHeaders);
  return function bulwarkSecurityHeaders(request, reply, done) {
    const verdict = policy.check(requestOf(request));
    // Set on the node response: fastify merges these into writeHead, and its error paths keep them.
    setHeaders(reply.raw, verdict.headers);
    for (const name of verdict.value.remove) reply.raw.removeHeader(name);
    if (verdict.value.nonce !== undefined) reply.cspNonce = verdict.value.nonce;
    done();
  };
}
