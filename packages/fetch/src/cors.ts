import {
  attachEvents,
  type CorsOptions,
  type CorsPolicy,
  createCorsPolicy,
  fromFetchRequest,
  ruleFor,
  withHeaders,
} from '@bulwark/core';
import { replyResponse } from './reply.js';
import { sinkOf } from './app-sink.js';
import { rememberCorsAnswer } from './cors-answer.js';
import type { SecuredHandler, SecuredInfo } from './headers.js';

/**
 * Wrap a fetch handler with a CORS policy. Preflights are answered here (204, or 403 when refused) and
 * never reach the handler; other responses get the grant headers (or only `Vary: Origin`). Its events
 * (`cors.denied`) also reach the app sink of the protect() it wraps or, behind a router, of every protect()
 * its requests have reached (from then on).
 *
 * @example
 * export default { fetch: securityHeaders(cors(router, { origins: ['https://app.example.com'], credentials: true })) };
 */
export function cors(
  handler: SecuredHandler,
  source: CorsOptions | CorsPolicy,
): (request: Request, runtime?: unknown) => Promise<Response> {
  const policy = ruleFor(source, 'cors', createCorsPolicy);
  attachEvents(policy, sinkOf(handler));
  return async (request, runtime) => {
    const verdict = policy.check(fromFetchRequest(request));
    if (!verdict.ok) return replyResponse(verdict.reply);
    // A handler that throws bypasses the line below: the wrapper that turns the throw into a response
    // (securityHeaders) adds this answer, so a 500 carries the same CORS headers as any other response.
    rememberCorsAnswer(request, verdict.headers);
    const response = await handler(request, runtime as SecuredInfo | undefined);
    attachEvents(policy, sinkOf(request));
    return withHeaders(response, verdict.headers);
  };
}
