import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { appendVary } from '../http/vary.js';
import { keepForHead, keptForHead } from './before-head.js';

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Merge the kept fields into the head `writeHead(statusCode, reason, headers)` is about to send: its headers
 * argument (as node reads it: after a reason phrase, or in its place) wins over setHeader, so a Vary there is
 * merged in place; otherwise the response's own Vary is. Run by core's one writeHead hook (before-head.ts).
 */
function mergeVary(
  res: ServerResponse,
  kept: string,
  _statusCode: unknown,
  reason: unknown,
  headers: unknown,
): void {
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
 * Make sure the response, when its head is written, still varies on `fields`, whatever the app set in
 * between: a handler's `res.set('Vary', 'Accept-Encoding')` (express) or `reply.header('Vary', …)` (fastify,
 * which passes its headers to `writeHead`) replaces the field, and a CORS answer that depends on `Origin`
 * without `Vary: Origin` lets a shared cache serve one origin's grant to another.
 *
 * @example
 * keepVary(res, 'Origin'); // the final Vary lists Origin, merged with whatever the handler set
 */
export function keepVary(res: ServerResponse, fields: string): void {
  const kept = keptForHead(res, mergeVary);
  if (kept === undefined) keepForHead(res, mergeVary, fields);
  else if (kept !== fields) keepForHead(res, mergeVary, appendVary(kept, fields));
}
