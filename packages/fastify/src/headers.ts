import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createSecurityHeaders,
  type HeaderSource,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import { writeHeaders } from '@bulwark/core/node';
import type { onRequestHookHandler } from 'fastify';

/**
 * The request fields a security-header policy reads (whether it carries credentials), straight from node's
 * parsed headers: one per applier, pointed at each request in turn (the policy reads it synchronously), so
 * no object is built per request.
 */
class ReusedHeaders implements HeaderSource {
  req: IncomingMessage | undefined = undefined;

  header(name: string): string | undefined {
    const value = this.req!.headers[name];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : value.join(', ');
  }
}

/** Sets a policy's headers on a node response; returns the response's CSP nonce, if the policy uses one. */
export type HeaderApplier = (req: IncomingMessage, res: ServerResponse) => string | undefined;

/**
 * Apply `policy` to node responses. Without nonces the policy answers one of two frozen header lists (with
 * or without `cache-control: no-store`), which `writeHeaders` checks with node's validators once and then
 * writes straight into the response's header table; with nonces the list is new per response and each pair
 * is set one by one.
 */
export function headerApplier(policy: SecurityHeaders): HeaderApplier {
  const source = new ReusedHeaders();
  return (req, res) => {
    source.req = req;
    const verdict = policy.check(source);
    source.req = undefined;
    writeHeaders(res, verdict.headers);
    const remove = verdict.value.remove;
    for (let i = 0; i < remove.length; i++) res.removeHeader(remove[i]!);
    return verdict.value.nonce;
  };
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
  const apply = headerApplier(ruleFor(source, 'headers', createSecurityHeaders));
  return function bulwarkSecurityHeaders(request, reply, done) {
    // Set on the node response: fastify merges these into writeHead, its error paths keep them, and so
    // does a handler writing the raw response.
    const nonce = apply(request.raw, reply.raw);
    if (nonce !== undefined) reply.cspNonce = nonce;
    done();
  };
}
