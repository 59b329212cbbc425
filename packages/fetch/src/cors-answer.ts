import type { HeaderPair } from '@bulwark/core';
import { notedOn, notesOf } from './request-notes.js';

/**
 * Remember the CORS answer of a request (set by the `cors` wrapper before it calls the handler).
 *
 * @example
 * rememberCorsAnswer(request, result.headers);
 */
export function rememberCorsAnswer(request: Request, headers: readonly HeaderPair[]): void {
  notesOf(request).cors = headers;
}

/**
 * The CORS answer of a request, when a `cors` wrapper decided one: `securityHeaders` puts it on the 500 it
 * builds for a handler that threw through the `cors` wrapper.
 *
 * @example
 * const cors = corsAnswerOf(request); // undefined without a cors wrapper
 */
export function corsAnswerOf(request: Request): readonly HeaderPair[] | undefined {
  return notedOn(request)?.cors;
}
