import { type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { appendVary } from '../http/vary.js';

/** The Vary fields bulwark's rules made the response depend on, kept on the response object. */
const KEPT = Symbol('bulwark.vary');

interface KeepingResponse extends ServerResponse {
  [KEPT]?: string;
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Merge the kept fields into the headers `writeHead` is about to send (its argument wins over setHeader). */
function mergeInto(res: KeepingResponse, args: unknown[]): void {
  const kept = res[KEPT]!;
  const last = args[args.length - 1];
  if (Array.isArray(last)) {
    // Flat [name, value, name, value…] form.
    for (let i = 0; i < last.length; i += 2) {
      if (String(last[i]).toLowerCase() === 'vary') {
        last[i + 1] = appendVary(asText(last[i + 1]), kept);
        return;
      }
    }
  } else if (typeof last === 'object' && last !== null) {
    const headers = last as OutgoingHttpHeaders;
    for (const name in headers) {
      if (name.toLowerCase() === 'vary') {
        headers[name] = appendVary(asText(headers[name]), kept);
        return;
      }
    }
  }
  const current = asText(res.getHeader('vary'));
  // Untouched since the rule set it (the common case): nothing to merge.
  if (current !== kept) res.setHeader('vary', appendVary(current, kept));
}

const nodeWriteHead = ServerResponse.prototype.writeHead;

/** writeHead of a response node has not wrapped: one shared function, no closure per response. */
function writeHeadKeepingVary(this: KeepingResponse, ...args: unknown[]): ServerResponse {
  if (!this.headersSent) mergeInto(this, args);
  return (nodeWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
}

/**
 * Make sure the response, when its head is written, still varies on `fields`, whatever the app set in
 * between: a handler's `res.set('Vary', 'Accept-Encoding')` (express) or `reply.header('Vary', …)` (fastify,
 * which passes its headers to `writeHead`) replaces the field, and a CORS answer that depends on `Origin`
 * without `Vary: Origin` lets a shared cache serve one origin's grant to another.
 *
 * @example
 * keepVary(res, 'Origin'); // the final Vary lists Origin, merged with whatever the handler set
 */
export function keepVary(res: ServerResponse, fields: string): void {
  const keeping = res as KeepingResponse;
  const kept = keeping[KEPT];
  if (kept !== undefined) {
    if (kept !== fields) keeping[KEPT] = appendVary(kept, fields);
    return;
  }
  keeping[KEPT] = fields;
  // node's implicit header write (res.end without writeHead) goes through writeHead too. A writeHead some
  // other library already wrapped on this response (on-headers…) is wrapped in turn, not replaced.
  const current = res.writeHead;
  if (current === nodeWriteHead) {
    res.writeHead = writeHeadKeepingVary as ServerResponse['writeHead'];
    return;
  }
  res.writeHead = function writeHeadKeepingVaryOver(this: KeepingResponse, ...args: unknown[]) {
    if (!this.headersSent) mergeInto(this, args);
    return (current as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
