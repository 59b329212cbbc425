import { type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { appendVary } from '../http/vary.js';

// Registered symbols: another installed copy of core keeps its fields in the same slot, and finds the hook
// already in place instead of adding a second one.
/** The Vary fields bulwark's rules made the response depend on, kept on the response object. */
const KEPT: unique symbol = Symbol.for('bulwark.vary.kept');
/** Set on `ServerResponse.prototype` once its writeHead merges kept fields. */
const HOOKED: unique symbol = Symbol.for('bulwark.vary.hooked');

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

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Merge the kept fields into the head `writeHead(statusCode, reason, headers)` is about to send: its headers
 * argument (as node reads it: after a reason phrase, or in its place) wins over setHeader, so a Vary there is
 * merged in place; otherwise the response's own Vary is.
 */
function mergeInto(res: KeepingResponse, reason: unknown, headers: unknown): void {
  const kept = res[KEPT]!;
  const given = typeof reason === 'string' ? headers : (headers ?? reason);
  if (Array.isArray(given)) {
    // Flat [name, value, name, value…] form.
    for (let i = 0; i < given.length; i += 2) {
      if (String(given[i]).toLowerCase() === 'vary') {
        given[i + 1] = appendVary(asText(given[i + 1]), kept);
        return;
      }
    }
  } else if (typeof given === 'object' && given !== null) {
    const object = given as OutgoingHttpHeaders;
    for (const name in object) {
      if (name.toLowerCase() === 'vary') {
        object[name] = appendVary(asText(object[name]), kept);
        return;
      }
    }
  }
  const current = asText(res.getHeader('vary'));
  // Untouched since the rule set it (the common case): nothing to merge.
  if (current !== kept) res.setHeader('vary', appendVary(current, kept));
}

/**
 * Put the merging writeHead on `ServerResponse.prototype`, once per process: every node response (express's
 * too, whose responses inherit from it) then keeps its fields without a function assigned per response,
 * which changed each response's hidden class and made node's and the framework's property accesses on
 * responses polymorphic. A response without kept fields pays one property read.
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
    if (this[KEPT] !== undefined && !this.headersSent) mergeInto(this, reason, headers);
    return below.call(this, statusCode, reason, headers);
  } as ServerResponse['writeHead'];
  proto[HOOKED] = true;
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
  hookPrototype();
  // node's implicit header write (res.end without writeHead) goes through writeHead too, so the prototype's
  // merges for every response whose writeHead is the prototype's. One replaced on the response or below the
  // prototype (on-headers, a subclass, an HTTP/2 compatibility response) may call a writeHead it took before
  // the hook was there: it is wrapped in turn (merging twice changes nothing).
  const current = res.writeHead;
  if (current === proto.writeHead) return;
  res.writeHead = function writeHeadKeepingVaryOver(this: KeepingResponse, ...args: unknown[]) {
    if (!this.headersSent) mergeInto(this, args[1], args[2]);
    return (current as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
