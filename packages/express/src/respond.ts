import type { ServerResponse } from 'node:http';
import type { HeaderFields } from '@bulwark/core';

/** Write a denial as RFC 9457 problem+json (the node writer of `@bulwark/core/node`). */
export { writeProblem as sendProblem } from '@bulwark/core/node';

/**
 * Set the headers an allowed verdict carries.
 *
 * @example
 * applyHeaders(res, verdict.headers);
 */
export function applyHeaders(res: ServerResponse, headers: HeaderFields): void {
  for (const name in headers) res.setHeader(name, headers[name]!);
}
