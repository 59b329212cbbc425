import { renderProblem, type SecurityError } from '@bulwark/core';

/**
 * A denial as an RFC 9457 problem+json `Response`.
 *
 * @example
 * if (!verdict.ok) return problemResponse(verdict.error);
 */
export function problemResponse(error: SecurityError): Response {
  const problem = renderProblem(error);
  return new Response(problem.body, {
    status: problem.status,
    headers: problem.headers as Record<string, string>,
  });
}

/**
 * Add headers to a response. Responses from `fetch()` have immutable headers; those are re-wrapped
 * (same body stream, status and headers) before the new fields are set.
 *
 * @example
 * return withHeaders(await handler(request), { 'x-content-type-options': 'nosniff' });
 */
export function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  let target = response;
  for (const name in headers) {
    try {
      target.headers.set(name, headers[name]!);
    } catch {
      target = new Response(target.body, target);
      target.headers.set(name, headers[name]!);
    }
  }
  return target;
}
