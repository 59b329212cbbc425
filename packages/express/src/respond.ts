import type { ServerResponse } from 'node:http';
import { type HeaderFields, renderProblem, type SecurityError } from '@bulwark/core';

/**
 * Write a denial as RFC 9457 problem+json. Headers set earlier by other middleware (security headers,
 * CORS) stay: `writeHead` merges with them.
 *
 * @example
 * if (!verdict.ok) return sendProblem(res, verdict.error);
 */
export function sendProblem(res: ServerResponse, error: SecurityError): void {
  const problem = renderProblem(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(problem.status, problem.headers as Record<string, string>);
  res.end(problem.body);
}

/**
 * Set the headers an allowed verdict carries.
 *
 * @example
 * applyHeaders(res, verdict.headers);
 */
export function applyHeaders(res: ServerResponse, headers: HeaderFields): void {
  for (const name in headers) res.setHeader(name, headers[name]!);
}
