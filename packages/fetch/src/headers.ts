import {
  appendVary,
  createSecurityHeaders,
  type HeaderPair,
  isSecurityError,
  renderProblem,
  type SecurityError,
  SecurityError as SecurityErrorClass,
  type SecurityHeaders,
  type SecurityHeadersOptions,
  ruleFrom,
} from '@bulwark/core';
import { corsAnswerOf } from './cors-answer.js';
import type { ConnectionInfo } from './pipeline.js';

/** What a handler wrapped by {@link securityHeaders} receives next to the request. */
export interface SecuredInfo extends ConnectionInfo {
  /** The CSP nonce of this response, when the policy uses `NONCE`. */
  cspNonce?: string;
}

/** A fetch handler as the wrappers take and return it. */
export type SecuredHandler = (request: Request, info?: SecuredInfo) => Response | Promise<Response>;

const internalError: SecurityError = new SecurityErrorClass({
  code: 'INTERNAL_ERROR',
  status: 500,
  message: 'The server failed to handle this request.',
});

/** Set header pairs on a response, re-wrapping it when its headers are immutable (a `fetch()` result). */
export function setPairs(response: Response, pairs: readonly HeaderPair[], vary = false): Response {
  let target = response;
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i]!;
    try {
      if (vary && name === 'vary')
        target.headers.set(name, appendVary(target.headers.get(name) ?? undefined, value));
      else target.headers.set(name, value);
    } catch {
      target = new Response(target.body, target);
      i--;
    }
  }
  return target;
}

/**
 * Wrap your outermost fetch handler so every response gets the security headers: the handler's own,
 * 404s, bulwark denials, and a 500 problem response when the handler throws (the error goes to
 * `onError`, default console.error; a thrown `SecurityError`, such as the node bridge's 413
 * `BODY_TOO_LARGE`, is answered as itself). With nonces, the handler receives `info.cspNonce`.
 *
 * @example
 * export default { fetch: securityHeaders(router) };
 * const app = securityHeaders(async (req, info) => html(info?.cspNonce), { preset: 'web' });
 */
export function securityHeaders(
  handler: SecuredHandler,
  source?: SecurityHeadersOptions | SecurityHeaders,
  options: { onError?: (error: unknown, request: Request) => void } = {},
): (request: Request, info?: ConnectionInfo) => Promise<Response> {
  const policy = ruleFrom(source ?? {}, createSecurityHeaders, 'forRequest');
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  return async (request, info = {}) => {
    const applied = policy.forHeaders({
      authorization: request.headers.get('authorization') ?? undefined,
      cookie: request.headers.get('cookie') ?? undefined,
    });
    let response: Response;
    try {
      response = await handler(
        request,
        applied.nonce === undefined ? info : { ...info, cspNonce: applied.nonce },
      );
    } catch (error) {
      // A refusal thrown on purpose (the node bridge's 413 out of a body read) is answered as itself; any
      // other throw is a server fault: logged, answered 500 without details.
      const refusal = isSecurityError(error);
      if (!refusal) onError(error, request);
      const problem = renderProblem(refusal ? error : internalError);
      response = new Response(problem.body, {
        status: problem.status,
        headers: problem.headers as Record<string, string>,
      });
      // The CORS answer of a wrapper inside this one, which the throw bypassed.
      const cors = corsAnswerOf(request);
      if (cors !== undefined) response = setPairs(response, cors, true);
    }
    return setPairs(response, applied.headers);
  };
}
