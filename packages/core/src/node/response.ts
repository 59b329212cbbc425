import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Allowed, HeaderList, Reply, Verdict } from '../verdict.js';
import { setOneHeader, writeHeaders } from './write.js';

/**
 * Set a verdict's headers on a node response: `vary` is merged with what the response already varies on
 * (another rule or the app may vary on other fields) and kept through whatever the handler sets later (see
 * {@link keepVary}), `set-cookie` is appended, every other field is set.
 *
 * @example
 * const v = cors.check(fromNodeRequest(req));
 * if (v.ok) { setHeaders(res, v.headers); next(); } else writeReply(res, v.reply);
 */
export function setHeaders(res: ServerResponse, headers: HeaderList): void {
  for (let i = 0; i < headers.length; i++) {
    // Indexed, not destructured: a destructuring pattern runs the array iterator for every pair.
    const pair = headers[i]!;
    setOneHeader(res, pair[0], pair[1]);
  }
}

/**
 * Write a reply (a denial's problem+json, a preflight answer, a redirect) and end the response. Headers set
 * earlier by other rules (security headers, CORS) stay; the reply's are written as {@link setHeaders} would,
 * its constant ones straight into node's header table (see `writeHeaders`). If the response has already
 * started, the connection is closed rather than a second response written.
 *
 * @example
 * if (!verdict.ok) return writeReply(res, verdict.reply);
 */
export function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeHeaders(res, reply.headers);
  res.statusCode = reply.status;
  res.end(reply.body);
}

/** The claim a verified delivery holds until its handler's outcome is known. */
interface Settleable {
  settle(outcome: number | boolean): Promise<void>;
}

/**
 * Settle a webhook delivery by the response its handler sends: done when the response finishes below 400,
 * released on an error status or when the connection closes first (the sender retries either way).
 *
 * @example
 * if (v.ok) { settleWhenFinished(res, v.value); req.webhook = v.value; next(); }
 */
export function settleWhenFinished(res: ServerResponse, delivery: Settleable): void {
  res.once('finish', () => void delivery.settle(res.statusCode));
  res.once('close', () => {
    if (!res.writableFinished) void delivery.settle(false);
  });
}

/**
 * Carry out an allowed verdict on a node request/response: remove the request headers it names (`strip`: a
 * forwarded client certificate from a peer that is not a trusted proxy) so nothing downstream reads them,
 * and set its response headers as {@link setHeaders} would, the constant ones (a CORS grant, a rate limit's
 * policy) straight into node's header table (see `writeHeaders`): a later `setHeader` of the same name still
 * replaces them. Every node adapter goes through this (or {@link applyVerdict}), whatever its framework does
 * with a denial.
 *
 * @example
 * if (verdict.ok) { applyAllowed(req, res, verdict); next(); } else throw new Denial(verdict);
 */
export function applyAllowed(req: IncomingMessage, res: ServerResponse, verdict: Allowed<unknown>): void {
  const strip = verdict.strip;
  if (strip !== undefined) for (let i = 0; i < strip.length; i++) delete req.headers[strip[i]!];
  if (verdict.headers.length > 0) writeHeaders(res, verdict.headers);
}

/**
 * Carry out a verdict on a node request/response, as the express-style adapters do: allowed → see
 * {@link applyAllowed}, and return true so the caller continues; denied or answered → write its reply and
 * return false.
 *
 * @example
 * const v = cors.check(fromNodeRequest(req));
 * if (applyVerdict(req, res, v)) next();
 */
export function applyVerdict<T>(
  req: IncomingMessage,
  res: ServerResponse,
  verdict: Verdict<T>,
): verdict is Allowed<T> {
  if (!verdict.ok) {
    writeReply(res, verdict.reply);
    return false;
  }
  applyAllowed(req, res, verdict);
  return true;
}
