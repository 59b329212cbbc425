import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsOptions, CorsPolicy, SecurityHeaders, SecurityHeadersOptions } from '@bulwark/core';
import { writeReply } from '@bulwark/core/node';
import { type AppWideStep, corsStep, securityHeadersStep } from './app-wide.js';

/** Node-level middleware, as both Nest platforms accept it (`app.use`, `MiddlewareConsumer.apply`). */
export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * An app-wide step as node middleware, for `app.use()` on either platform.
 *
 * @example
 * app.use(toMiddleware(securityHeadersStep()));
 */
export function toMiddleware(step: AppWideStep): NodeMiddleware {
  return (req, res, next) => {
    const answer = step(req, res);
    if (answer === undefined) next();
    else writeReply(res, answer);
  };
}

/**
 * Security headers on every response, 404s, guard denials, body-parser errors and exception-filter errors
 * included, on the express and fastify platforms. Usually enabled with the `securityHeaders` option of
 * `BulwarkModule`, which runs it ahead of Nest's body parsers and global prefix; this is the same rule as
 * middleware for `app.use()`.
 *
 * @example
 * BulwarkModule.forRoot({ securityHeaders: true });
 * app.use(securityHeaders({ preset: 'web' }));
 */
export function securityHeaders(source?: SecurityHeadersOptions | SecurityHeaders): NodeMiddleware {
  return toMiddleware(securityHeadersStep(source));
}

/**
 * App-wide CORS on both Nest platforms: preflights are answered before routing (204, or 403 when
 * refused) and never reach a controller, guard or pipe, inside or outside a global prefix. Usually
 * enabled with the `cors` option of `BulwarkModule` (instead of Nest's `enableCors`); this is the same
 * rule as middleware for `app.use()`.
 *
 * @example
 * BulwarkModule.forRoot({ cors: { origins: ['https://app.example.com'], credentials: true } });
 */
export function cors(source: CorsOptions | CorsPolicy): NodeMiddleware {
  return toMiddleware(corsStep(source));
}
