import type { ServerResponse } from 'node:http';
import { keepForHead } from '@bulwark/core/node';

/**
 * What express's final handler (the `finalhandler` package, express 4 and 5) sets on the 404, body-parser
 * and error pages it writes itself, over whatever the app set before.
 */
const FINAL_HANDLER_CSP = "default-src 'none'";

/** Put the policy's CSP back when the head about to be written carries the final handler's instead. */
function restoreCsp(res: ServerResponse, csp: string, status: unknown): void {
  if (
    typeof status === 'number' &&
    status >= 400 &&
    res.getHeader('content-security-policy') === FINAL_HANDLER_CSP
  ) {
    res.setHeader('content-security-policy', csp);
  }
}

/**
 * Keep the policy's CSP on the answers express writes itself. Its final handler (404, a body-parser 400 or
 * 413, a thrown error's 500) sets `Content-Security-Policy: default-src 'none'` over the policy's, which
 * drops `frame-ancestors` (that page could then be framed) and every directive the app added: on such an
 * answer (status 400 or above, that exact value) the policy's CSP is put back when the head is written. A
 * handler's own CSP (any other value, or on a success) is left alone.
 */
export function keepCspOnFinalAnswers(res: ServerResponse, csp: string): void {
  // Through core's one writeHead hook (shared with keepVary): node's implicit header write (res.end without
  // writeHead, as the final handler does) goes through it too.
  if (csp !== FINAL_HANDLER_CSP) keepForHead(res, restoreCsp, csp);
}
