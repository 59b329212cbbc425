import type { HeaderList, Reply } from '../verdict.js';
import { appendVary } from './vary.js';

function apply(target: Headers, headers: HeaderList): void {
  for (let i = 0; i < headers.length; i++) {
    // Indexed reads: destructuring the pair went through the array iterator, an allocation per field.
    const pair = headers[i]!;
    const name = pair[0];
    const value = pair[1];
    if (name === 'vary') target.set('vary', appendVary(target.get('vary') ?? undefined, value));
    else if (name === 'set-cookie') target.append('set-cookie', value);
    else target.set(name, value);
  }
}

/**
 * A reply (a denial's problem+json, a preflight answer, a redirect) as a WHATWG `Response`, for fetch
 * handlers (Workers, Deno, Bun, Node).
 *
 * @example
 * if (!verdict.ok) return toResponse(verdict.reply);
 */
export function toResponse(reply: Reply): Response {
  // Set on the Response's own headers: a `Headers` (or a field list) given as init is converted and every
  // field checked again by the constructor, which cost more than the sets (undici, Node 20 and 24).
  const response = new Response(reply.body ?? null, { status: reply.status });
  apply(response.headers, reply.headers);
  return response;
}

/**
 * `response` without the fields `names` (lowercase), re-wrapped first when its headers are immutable; the
 * same response when it has none of them.
 *
 * @example
 * return withoutHeaders(response, verdict.value.remove); // x-powered-by…
 */
export function withoutHeaders(response: Response, names: readonly string[]): Response {
  if (!names.some((n) => response.headers.has(n))) return response;
  try {
    for (const n of names) response.headers.delete(n);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const n of names) copy.headers.delete(n);
    return copy;
  }
}

/**
 * Add a verdict's headers to a response: `vary` merged, `set-cookie` appended, other fields set. A response
 * with immutable headers (a `fetch()` result) is re-wrapped first (same body stream, status and headers).
 *
 * @example
 * return withHeaders(await handler(request), verdict.headers);
 */
export function withHeaders(response: Response, headers: HeaderList): Response {
  if (headers.length === 0) return response;
  try {
    apply(response.headers, headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    apply(copy.headers, headers);
    return copy;
  }
}
