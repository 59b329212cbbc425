import { type CorsOptions, type CorsPolicy, createCorsPolicy, ruleFrom } from '@bulwark/core';
import { fromNodeRequest, setHeaderPairs, writeProblem } from '@bulwark/core/node';
import type { NodeMiddleware } from './headers.js';

/**
 * App-wide CORS on both Nest platforms: preflights are answered before routing (204, or 403 when
 * refused) and never reach a controller, guard or pipe. Usually enabled with the `cors` option of
 * `BulwarkModule` (instead of Nest's `enableCors`); this is the same middleware for `app.use()`.
 *
 * @example
 * BulwarkModule.forRoot({ cors: { origins: ['https://app.example.com'], credentials: true } });
 */
export function cors(source: CorsOptions | CorsPolicy): NodeMiddleware {
  const policy = ruleFrom(source, createCorsPolicy, 'check');
  return function bulwarkCors(req, res, next) {
    const result = policy.check(
      fromNodeRequest(req, { url: (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/' }),
    );
    setHeaderPairs(res, result.headers);
    if (result.kind === 'actual') return next();
    if (result.kind === 'preflight') {
      res.statusCode = result.status;
      res.end();
      return;
    }
    writeProblem(res, result.error);
  };
}
