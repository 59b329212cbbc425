import {
  createSecurityHeaders,
  deny,
  fromFetchRequest,
  isSecurityError,
  ruleFor,
  SecurityError,
  type SecurityHeaders,
  type SecurityHeadersOptions,
  withHeaders,
  withoutHeaders,
} from '@bulwark/core';
import { replyResponse } from './reply.js';
import { connectionFor } from './connection.js';
import { corsAnswerOf } from './cors-answer.js';
import type { ConnectionInfo } from './pipeline.js';

/**
 * What a handler wrapped by {@link securityHeaders} receives next to the request: the runtime's own
 * argument (Workers' `env`, Deno's `info`…) and, when the policy uses `NONCE`, a copy of it with the
 * connection facts and `cspNonce` added.
 */
export interface SecuredInfo extends ConnectionInfo {
  /** The CSP nonce of this response, when the policy uses `NONCE`. */
  cspNonce?: string;
}

/** A fetch handler as the wrappers take and return it. */
export type SecuredHandler = (request: Request, info?: SecuredInfo) => Response | Promise<Response>;

// A handler that throws is answered with this, and nothing of its error.
const internalError = deny(
  new SecurityError({
    code: 'HTTP_INTERNAL_ERROR',
    status: 500,
    message: 'The server failed to handle this request.',
  }),
);

/**
 * Wrap your outermost fetch handler so every response gets the security headers: the handler's own,
 * 404s, bulwark denials, and a 500 problem response when the handler throws (the error goes to
 * `onError`, default console.error; a thrown `SecurityError`, such as the node bridge's 413
 * `HTTP_BODY_TOO_LARGE`, is answered as itself). With nonces, the handler receives `info.cspNonce`.
 *
 * @example
 * export default { fetch: securityHeaders(router) };
 * const app = securityHeaders(async (req, info) => html(info?.cspNonce), { preset: 'web' });
 */
export function securityHeaders(
  handler: SecuredHandler,
  source?: SecurityHeadersOptions | SecurityHeaders,
  options: { onError?: (error: unknown, request: Request) => void } = {},
): (request: Request, runtime?: unknown) => Promise<Response> {
  const policy = ruleFor(source ?? {}, 'headers', createSecurityHeaders);
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  return async (request, runtime) => {
    // Read now, from the runtime's own argument: the copy that carries the nonce below is a plain object
    // (Bun's server loses its methods in it), so the rules inside find the connection by the request.
    const connection = connectionFor(request, runtime);
    const verdict = policy.check(fromFetchRequest(request));
    const nonce = verdict.value.nonce;
    let response: Response;
    try {
      response = await handler(
        request,
        nonce === undefined
          ? (runtime as SecuredInfo | undefined)
          : { ...(runtime as object | undefined), ...connection, cspNonce: nonce },
      );
    } catch (error) {
      // A refusal thrown on purpose (the node bridge's 413 out of a body read) is answered as itself; any
      // other throw is a server fault: logged, answered 500 without details.
      const refusal = isSecurityError(error);
      if (!refusal) onError(error, request);
      response = replyResponse(refusal ? deny(error).reply : internalError.reply);
      // The CORS answer of a wrapper inside this one, which the throw bypassed.
      const cors = corsAnswerOf(request);
      if (cors !== undefined) response = withHeaders(response, cors);
    }
    return withoutHeaders(withHeaders(response, verdict.headers), verdict.value.remove);
  };
}
