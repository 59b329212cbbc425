import { type CorsOptions, type CorsPolicy, createCorsPolicy, ruleFor } from '@bulwark/core';
import type { onRequestHookHandler } from 'fastify';
import { pass, requestOf } from './reply.js';

/**
 * An `onRequest` hook for cross-origin access. Preflights are answered here (204, or 403 when refused),
 * also for paths with no OPTIONS route, and never reach a handler. Also available as the `cors` option of
 * the `bulwark` plugin.
 *
 * @example
 * app.addHook('onRequest', cors({ origins: ['https://app.example.com'], credentials: true }));
 */
export function cors(source: CorsOptions | CorsPolicy): onRequestHookHandler {
  const policy = ruleFor(source, 'cors', createCorsPolicy);
  return function bulwarkCors(request, reply, done) {
    if (pass(request, reply, policy.check(requestOf(request)))) done();
  };
}
