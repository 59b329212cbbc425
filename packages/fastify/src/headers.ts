import type { IncomingMessage } from 'node:http';
import {
  createSecurityHeaders,
  type HeaderSource,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import { setHeaders } from '@bulwark/core/node';
import type { onRequestHookHandler } from 'fastify';

/**
 * The request fields a security-header policy reads (whether it carries credentials), straight from node's
 * parsed headers: the policy needs no method, URL, address or event sink, so no RequestLike is built for it.
 */
export class NodeHeaders implements HeaderSource {
  constructor(private readonly req: IncomingMessage) {}

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : value.join(', ');
  }
}

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
    const verdict = policy.check(new NodeHeaders(request.raw));
    // Set on the node response: fastify merges these into writeHead, and its error paths keep them.
    setHeaders(reply.raw, verdict.headers);
    const remove = verdict.value.remove;
    for (let i = 0; i < remove.length; i++) reply.raw.removeHeader(remove[i]!);
    if (verdict.value.nonce !== undefined) reply.cspNonce = verdict.value.nonce;
    done();
  };
}
