import type { ServerResponse } from 'node:http';
import { appendVary } from '../cors/vary.js';
import type { SecurityError } from '../errors.js';
import type { HeaderPair } from '../headers/values.js';
import { renderProblem } from '../http/problem.js';
import { keepVary } from './vary.js';

/**
 * Set a rule's header pairs on a node response. `Vary` is merged with what is already there (another
 * rule or the app may vary on other fields), and kept through whatever the handler sets later (see
 * {@link keepVary}); every other field is set.
 *
 * @example
 * setHeaderPairs(res, corsPolicy.check(fromNodeRequest(req)).headers);
 */
export function setHeaderPairs(res: ServerResponse, pairs: readonly HeaderPair[]): void {
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i]!;
    if (name === 'vary') {
      res.setHeader('vary', appendVary(res.getHeader('vary') as string | undefined, value));
      keepVary(res, value);
    } else res.setHeader(name, value);
  }
}

/**
 * Write a denial as RFC 9457 problem+json on a node response. Headers set earlier by other rules
 * (security headers, CORS) stay: `writeHead` merges with them. If the response has already started, the
 * connection is closed rather than a second response written.
 *
 * @example
 * if (!verdict.ok) return writeProblem(res, verdict.error);
 */
export function writeProblem(res: ServerResponse, error: SecurityError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const problem = renderProblem(error);
  res.writeHead(problem.status, problem.headers as Record<string, string>);
  res.end(problem.body);
}
