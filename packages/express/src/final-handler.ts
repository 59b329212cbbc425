import { ServerResponse } from 'node:http';

/**
 * What express's final handler (the `finalhandler` package, express 4 and 5) sets on the 404, body-parser
 * and error pages it writes itself, over whatever the app set before.
 */
const FINAL_HANDLER_CSP = "default-src 'none'";

/** The policy's CSP, kept on the response object. */
const KEPT = Symbol('bulwark.csp');

interface KeepingResponse extends ServerResponse {
  [KEPT]?: string;
}

/** Put the policy's CSP back when the head about to be written carries the final handler's instead. */
function restore(res: KeepingResponse, status: unknown): void {
  if (
    !res.headersSent &&
    typeof status === 'number' &&
    status >= 400 &&
    res.getHeader('content-security-policy') === FINAL_HANDLER_CSP
  ) {
    res.setHeader('content-security-policy', res[KEPT]!);
  }
}

const nodeWriteHead = ServerResponse.prototype.writeHead;

/** writeHead of a response node has not wrapped: one shared function, no closure per response. */
function writeHeadKeepingCsp(this: KeepingResponse, ...args: unknown[]): ServerResponse {
  restore(this, args[0]);
  return (nodeWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
}

/**
 * Keep the policy's CSP on the answers express writes itself. Its final handler (404, a body-parser 400 or
 * 413, a thrown error's 500) sets `Content-Security-Policy: default-src 'none'` over the policy's, which
 * drops `frame-ancestors` (that page could then be framed) and every directive the app added: on such an
 * answer (status 400 or above, that exact value) the policy's CSP is put back when the head is written. A
 * handler's own CSP (any other value, or on a success) is left alone.
 */
export function keepCspOnFinalAnswers(res: ServerResponse, csp: string): void {
  if (csp === FINAL_HANDLER_CSP) return;
  const keeping = res as KeepingResponse;
  const first = keeping[KEPT] === undefined;
  keeping[KEPT] = csp;
  if (!first) return;
  // node's implicit header write (res.end without writeHead, as the final handler does) goes through
  // writeHead too. A writeHead already wrapped on this response (keepVary, on-headers…) is wrapped in turn.
  const current = res.writeHead;
  if (current === nodeWriteHead) {
    res.writeHead = writeHeadKeepingCsp as ServerResponse['writeHead'];
    return;
  }
  res.writeHead = function writeHeadKeepingCspOver(this: KeepingResponse, ...args: unknown[]) {
    restore(this, args[0]);
    return (current as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
