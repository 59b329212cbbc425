import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createSecurityHeaders,
  type HeaderList,
  type HeaderSource,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import { setHeaders } from '@bulwark/core/node';
import type { onRequestHookHandler } from 'fastify';
import { type PreparedHeaders, prepareHeaders, writePrepared } from './write.js';

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
 * or without `cache-control: no-store`): each is checked by node's validators once, on first use, and then
 * written without the per-pair checks of `setHeader`, with the same effect (see `writePrepared`). With
 * nonces the list is new per response and goes through `setHeaders`.
 */
export function headerApplier(policy: SecurityHeaders): HeaderApplier {
  const source = new ReusedHeaders();
  let firstList: HeaderList | undefined;
  let first: PreparedHeaders | undefined;
  let secondList: HeaderList | undefined;
  let second: PreparedHeaders | undefined;
  const prepared = (list: HeaderList): PreparedHeaders | undefined => {
    if (list === firstList) return first;
    if (list === secondList) return second;
    if (!Object.isFrozen(list)) return undefined;
    if (firstList === undefined) {
      first = prepareHeaders(list);
      firstList = list;
      return first;
    }
    if (secondList === undefined) {
      second = prepareHeaders(list);
      secondList = list;
      return second;
    }
    return undefined;
  };
  return (req, res) => {
    source.req = req;
    const verdict = policy.check(source);
    source.req = undefined;
    const list = verdict.headers;
    const ready = policy.usesNonce ? undefined : prepared(list);
    if (ready !== undefined) writePrepared(res, ready);
    else setHeaders(res, list);
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
