import type { HeaderPair } from '@bulwark/core';

/** The CORS headers decided for each request, for a response built after the handler threw. */
const answers = new WeakMap<Request, readonly HeaderPair[]>();

/**
 * Remember the CORS answer of a request (set by the `cors` wrapper before it calls the handler).
 *
 * @example
 * rememberCorsAnswer(request, result.headers);
 */
export function rememberCorsAnswer(request: Request, headers: readonly HeaderPair[]): void {
  answers.set(request, headers);
}

/**
 * The CORS answer of a request, when a `cors` wrapper decided one: `securityHeaders` puts it on the 500 it
 * builds for a handler that threw through the `cors` wrapper.
 *
 * @example
 * const cors = corsAnswerOf(request); // undefined without a cors wrapper
 */
export function corsAnswerOf(request: Request): readonly HeaderPair[] | undefined {
  return answers.get(request);
}
