import { publicFormOf, type SecurityError } from '../errors.js';
import type { HeaderList, Reply } from '../verdict.js';

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

const PROBLEM_HEADERS: HeaderList = [
  ['content-type', 'application/problem+json'],
  ['cache-control', 'no-store'],
];

const plain = new WeakMap<SecurityError, Reply>();
const withRuleHeaders = new WeakMap<SecurityError, WeakMap<HeaderList, Reply>>();

function render(error: SecurityError, extra: HeaderList): Reply {
  const body = JSON.stringify({
    type: `https://bulwark.dev/errors/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
  });
  const headers = Object.freeze([...extra, ...error.headers, ...PROBLEM_HEADERS]);
  return Object.freeze({ status: error.status, headers, body });
}

/**
 * Render a denial as `application/problem+json` (RFC 9457), with `headers` of the rule that refused
 * (Vary, RateLimit…) ahead of the error's own. The body carries only the public message and the stable
 * code; never a token, a secret, a signature or a stack. Errors are immutable, so a rendering is cached
 * per public error (and per rule header list); the common denials are shared singletons.
 *
 * @example
 * const reply = renderProblem(JWT_ERRORS.expired);
 * res.writeHead(reply.status, Object.fromEntries(reply.headers)).end(reply.body);
 */
export function renderProblem(error: SecurityError, headers: HeaderList = []): Reply {
  const key = publicFormOf(error);
  if (headers.length === 0) {
    let reply = plain.get(key);
    if (reply === undefined) {
      reply = render(key, headers);
      plain.set(key, reply);
    }
    return reply;
  }
  let byList = withRuleHeaders.get(key);
  if (byList === undefined) {
    byList = new WeakMap();
    withRuleHeaders.set(key, byList);
  }
  let reply = byList.get(headers);
  if (reply === undefined) {
    reply = render(key, headers);
    byList.set(headers, reply);
  }
  return reply;
}
