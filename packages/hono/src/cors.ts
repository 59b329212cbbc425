import { type CorsOptions, type CorsPolicy, createCorsPolicy, ruleFor } from '@bulwark/core';
import type { MiddlewareHandler } from 'hono';
import { proceed, requestOf, stop } from './context.js';

/**
 * Cross-origin access for exactly the origins you list. Preflights are answered here (204, or 403
 * thrown as an `HTTPException` when refused) and never reach your routes; other responses get the grant
 * headers (or only `Vary: Origin`), a thrown handler's 500 included. Mount it right after
 * `securityHeaders()`.
 *
 * @example
 * app.use(securityHeaders());
 * app.use(cors({ origins: ['https://app.example.com'], credentials: true }));
 */
export function cors(source: CorsOptions | CorsPolicy): MiddlewareHandler {
  const policy = ruleFor(source, 'cors', createCorsPolicy);
  return async function bulwarkCors(c, next) {
    const verdict = policy.check(requestOf(c));
    if (!verdict.ok) return stop(verdict);
    await proceed(c, next, verdict);
  };
}
