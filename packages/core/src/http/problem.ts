import type { HeaderFields, SecurityError } from '../errors.js';

/** An RFC 9457 problem response ready to be written by an adapter. */
export interface ProblemResponse {
  readonly status: number;
  /** Includes `content-type: application/problem+json` and the error's own headers. */
  readonly headers: HeaderFields;
  /** Serialised JSON body. */
  readonly body: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const cache = new WeakMap<SecurityError, ProblemResponse>();

/**
 * Render a denial as `application/problem+json` (RFC 9457). The body carries only the public message and
 * the stable code; never a token, a secret, a signature or a stack. Errors are immutable, so the rendering
 * is cached per error instance (the common denials are shared singletons).
 *
 * @example
 * const p = renderProblem(verdict.error);
 * res.writeHead(p.status, p.headers).end(p.body);
 */
export function renderProblem(error: SecurityError): ProblemResponse {
  const cached = cache.get(error);
  if (cached !== undefined) return cached;
  const body = JSON.stringify({
    type: `https://bulwark.dev/errors/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
  });
  const problem: ProblemResponse = {
    status: error.status,
    headers: { ...error.headers, 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body,
  };
  cache.set(error, problem);
  return problem;
}
