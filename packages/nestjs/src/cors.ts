import {
  appendVary,
  type CorsOptions,
  type CorsPolicy,
  createCorsPolicy,
  renderProblem,
  ruleFrom,
} from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
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
    const headers = result.headers;
    for (let i = 0; i < headers.length; i++) {
      const [name, value] = headers[i]!;
      if (name === 'vary')
        res.setHeader('vary', appendVary(res.getHeader('vary') as string | undefined, value));
      else res.setHeader(name, value);
    }
    if (result.kind === 'actual') return next();
    if (result.kind === 'preflight') {
      res.statusCode = result.status;
      res.end();
      return;
    }
    const problem = renderProblem(result.error);
    res.writeHead(problem.status, problem.headers as Record<string, string>);
    res.end(problem.body);
  };
}
