import { type CorsOptions, type CorsPolicy, createCorsPolicy, ruleFor } from '@bulwark/core';
import { applyAllowed } from '@bulwark/core/node';
import type { onRequestHookHandler } from 'fastify';
import { refuseTo, requestOf } from './reply.js';

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
    const verdict = policy.check(requestOf(request));
    if (verdict.ok) {
      applyAllowed(request.raw, reply.raw, verdict);
      done();
    } else refuseTo(request, reply, verdict, done);
  };
}
