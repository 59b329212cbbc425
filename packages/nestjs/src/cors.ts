import { type CorsOptions, type CorsPolicy, createCorsPolicy, ruleFor } from '@bulwark/core';
import { fromNodeRequest, setHeaders } from '@bulwark/core/node';
import type { AppWideStep } from './app-wide.js';
import { type NodeMiddleware, toMiddleware } from './headers.js';

/**
 * The CORS rule as an app-wide step (see {@link cors}).
 *
 * @example
 * installAppWide(adapter, [corsStep({ origins: ['https://app.example.com'] })]);
 */
export function corsStep(source: CorsOptions | CorsPolicy): AppWideStep {
  const policy = ruleFor(source, 'cors', createCorsPolicy);
  return function bulwarkCors(req, res) {
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const verdict = policy.check(fromNodeRequest(req, { url }));
    if (!verdict.ok) return verdict.reply;
    setHeaders(res, verdict.headers);
    return undefined;
  };
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
