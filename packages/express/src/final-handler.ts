import { ServerResponse } from 'node:http';

/**
 * What express's final handler (the `finalhandler` package, express 4 and 5) sets on the 404, body-parser
 * and error pages it writes itself, over whatever the app set before.
 */
const FINAL_HANDLER_CSP = "default-src 'none'";

// Registered symbols: another installed copy of this adapter keeps its CSP in the same slot, and finds the
// hook already in place instead of adding a second one.
/** The policy's CSP, kept on the response object. */
const KEPT: unique symbol = Symbol.for('bulwark.csp.kept');
/** Set on `ServerResponse.prototype` once its writeHead restores kept CSPs. */
const HOOKED: unique symbol = Symbol.for('bulwark.csp.hooked');

interface KeepingResponse extends ServerResponse {
  [KEPT]?: string;
}

type WriteHead = (
  this: ServerResponse,
  statusCode: unknown,
  reason?: unknown,
  headers?: unknown,
) => ServerResponse;

const proto = ServerResponse.prototype as ServerResponse & { [HOOKED]?: true };

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

/**
 * Put the restoring writeHead on `ServerResponse.prototype` (which express's responses inherit from), once
 * per process, instead of a function assigned on every response: that changed each response's hidden class.
 * A response without a kept CSP pays one property read.
 */
function hookPrototype(): void {
  if (proto[HOOKED] === true) return;
  const below = proto.writeHead as WriteHead;
  proto.writeHead = function writeHead(
    this: KeepingResponse,
    statusCode: unknown,
    reason?: unknown,
    headers?: unknown,
  ) {
    if (this[KEPT] !== undefined) restore(this, statusCode);
    return below.call(this, statusCode, reason, headers);
  } as ServerResponse['writeHead'];
  proto[HOOKED] = true;
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
  hookPrototype();
  // node's implicit header write (res.end without writeHead, as the final handler does) goes through
  // writeHead too, so the prototype's restores for every response whose writeHead is the prototype's. One
  // replaced on the response (on-headers…) may call a writeHead it took before the hook was there: it is
  // wrapped in turn (restoring twice changes nothing).
  const current = res.writeHead;
  if (current === proto.writeHead) return;
  res.writeHead = function writeHeadKeepingCspOver(this: KeepingResponse, ...args: unknown[]) {
    restore(this, args[0]);
    return (current as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
