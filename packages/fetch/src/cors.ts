import {
  type CorsOptions,
  type CorsPolicy,
  createCorsPolicy,
  fromFetchRequest,
  ruleFrom,
} from '@bulwark/core';
import { rememberCorsAnswer } from './cors-answer.js';
import { type SecuredHandler, setPairs } from './headers.js';
import type { ConnectionInfo } from './pipeline.js';
import { problemResponse } from './respond.js';

/**
 * Wrap a fetch handler with a CORS policy. Preflights are answered here (204, or 403 when refused) and
 * never reach the handler; other responses get the grant headers (or only `Vary: Origin`).
 *
 * @example
 * export default { fetch: securityHeaders(cors(router, { origins: ['https://app.example.com'], credentials: true })) };
 */
export function cors(
  handler: SecuredHandler,
  source: CorsOptions | CorsPolicy,
): (request: Request, info?: ConnectionInfo) => Promise<Response> {
  const policy = ruleFrom(source, createCorsPolicy, 'check');
  return async (request, info) => {
    const result = policy.check(fromFetchRequest(request));
    if (result.kind === 'preflight')
      return setPairs(new Response(null, { status: result.status }), result.headers);
    if (result.kind === 'denied') return setPairs(problemResponse(result.error), result.headers, true);
    // A handler that throws bypasses the line below: the wrapper that turns the throw into a response
    // (securityHeaders) adds this answer, so a 500 carries the same CORS headers as any other response.
    rememberCorsAnswer(request, result.headers);
    return setPairs(await handler(request, info), result.headers, true);
  };
}
