import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { appendVary } from '../cors/vary.js';

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
  res.setHeader('vary', appendVary(asText(res.getHeader('vary')), kept));
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
    keeping[KEPT] = appendVary(kept, fields);
    return;
  }
  keeping[KEPT] = fields;
  const writeHead = res.writeHead;
  // Own property on this response only; node's implicit header write (res.end without writeHead) calls it too.
  res.writeHead = function writeHeadKeepingVary(this: KeepingResponse, ...args: unknown[]) {
    if (!this.headersSent) mergeInto(this, args);
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
