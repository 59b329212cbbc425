import {
  type Allowed,
  connectionOf,
  fromFetchRequest,
  type HeaderList,
  type Reply,
  type RequestLike,
  type SecurityError,
  toResponse,
  withHeaders,
  withoutStackTrace,
} from '@bulwark/core';
import type { Context, Next } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { eventsOf } from './events.js';

/** What fromFetchRequest takes next to the request (a connection's fields may be absent). */
type RequestExtra = NonNullable<Parameters<typeof fromFetchRequest>[1]>;

// One RequestLike per request, however many rules read it (the runtime's connection is read once).
const requests = new WeakMap<Request, RequestLike>();

/**
 * The request as bulwark's rules read it, with the client's connection taken from the runtime's own
 * argument, which Hono hands the app as `c.env`: @hono/node-server's `{ incoming }` (the socket and its
 * verified client certificate), Bun's `server`, Deno's `info`. On Workers `c.env` is the bindings and
 * holds no connection fact; the client address there comes from the named platform's header.
 *
 * @example
 * const verdict = await verifier.check(requestOf(c));
 */
export function requestOf(c: Context): RequestLike {
  const raw = c.req.raw;
  let req = requests.get(raw);
  if (req === undefined) {
    const connection = connectionOf(raw, c.env);
    // Fields named one by one, in a fixed shape: a spread of the connection clones it per request.
    req = fromFetchRequest(raw, {
      remoteAddress: connection.remoteAddress,
      peerCertificate: connection.peerCertificate,
      events: eventsOf(raw),
    } as RequestExtra);
    requests.set(raw, req);
  }
  return req;
}

/**
 * Put a rule's headers on the response the rest of the chain produced (the handler's, a 404, the error
 * handler's answer to a throw): `vary` merged, `set-cookie` appended, the others set. A response with
 * immutable headers (a `fetch()` result returned as is) is replaced by a copy.
 *
 * @example
 * await next();
 * addHeaders(c, verdict.headers);
 */
export function addHeaders(c: Context, headers: HeaderList): void {
  if (headers.length === 0) return;
  replaceResponse(c, withHeaders(c.res, headers));
}

/**
 * Make `res` the response of `c` when a header change had to copy it (immutable headers). Hono's `res`
 * setter copies the old response's headers over the new one, which would undo the change, so the old one
 * is dropped first.
 *
 * @example
 * replaceResponse(c, withoutHeaders(c.res, names));
 */
export function replaceResponse(c: Context, res: Response): void {
  if (res === c.res) return;
  c.res = undefined;
  c.res = res;
}

/**
 * Let an allowed request continue, as every middleware here does: the request headers the verdict names
 * are removed first (`strip`: a forwarded client certificate from a peer that is not a trusted proxy), the
 * rest of the chain runs, and the verdict's headers go on whatever it answered ({@link addHeaders}).
 *
 * @example
 * if (!verdict.ok) return stop(verdict);
 * await proceed(c, next, verdict);
 */
export async function proceed(c: Context, next: Next, verdict: Allowed<unknown>): Promise<void> {
  const strip = verdict.strip;
  if (strip !== undefined) for (const name of strip) c.req.raw.headers.delete(name);
  await next();
  addHeaders(c, verdict.headers);
}

/**
 * A denial, thrown as Hono's own auth middleware throws theirs: an `HTTPException` whose response is the
 * problem+json reply, so Hono's default error handler answers it as it is and an app's `onError` sees it
 * (`err.getResponse()`, the `SecurityError` with its `code` as `err.cause`). Built without a stack trace:
 * under attack denials are the common case, the stack would only point into this middleware, and
 * capturing it cost more than the rest of the refusal's own work.
 *
 * @example
 * if (!verdict.ok) throw denial(verdict.error, verdict.reply);
 */
export function denial(error: SecurityError, reply: Reply): HTTPException {
  const res = toResponse(reply);
  return withoutStackTrace(
    () =>
      new HTTPException(reply.status as ConstructorParameters<typeof HTTPException>[0], {
        res,
        message: error.message,
        cause: error,
      }),
  );
}

/**
 * What a middleware does with a verdict that stops the request: a denial is thrown ({@link denial}), an
 * answer of the rule's own (a preflight's 204, a duplicate webhook's 200, an OIDC redirect) is returned
 * as the response.
 *
 * @example
 * if (!verdict.ok) return stop(verdict);
 */
export function stop(verdict: {
  readonly error?: SecurityError | undefined;
  readonly reply: Reply;
}): Response {
  if (verdict.error !== undefined) throw denial(verdict.error, verdict.reply);
  return toResponse(verdict.reply);
}
