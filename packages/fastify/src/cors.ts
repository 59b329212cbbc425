import { type CorsOptions, type CorsPolicy, createCorsPolicy, ruleFrom } from '@bulwark/core';
import { fromNodeRequest, setHeaderPairs } from '@bulwark/core/node';
import type { onRequestHookHandler } from 'fastify';
import { sendProblem } from './respond.js';

/** The policy for `source`: built (and validated) now, or used as given. */
export function toCorsPolicy(source: CorsOptions | CorsPolicy): CorsPolicy {
  return ruleFrom(source, createCorsPolicy, 'check');
}

/**
 * An `onRequest` hook for cross-origin access. Preflights are answered here (204, or 403 when refused),
 * also for paths with no OPTIONS route, and never reach a handler. Also available as the `cors` option of
 * the `bulwark` plugin.
 *
 * @example
 * app.addHook('onRequest', cors({ origins: ['https://app.example.com'], credentials: true }));
 */
export function cors(source: CorsOptions | CorsPolicy): onRequestHookHandler {
  const policy = toCorsPolicy(source);
  return function bulwarkCors(request, reply, done) {
    const result = policy.check(fromNodeRequest(request.raw, { url: request.url }));
    setHeaderPairs(reply.raw, result.headers);
    if (result.kind === 'actual') done();
    else if (result.kind === 'denied') sendProblem(reply, result.error);
    else reply.code(result.status).send();
  };
}
