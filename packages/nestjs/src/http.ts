import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Allowed, Answered, Denied, RequestLike, Verdict } from '@bulwark/core';
import { applyAllowed, fromNodeRequest } from '@bulwark/core/node';
import { BulwarkAnswer } from './answer.filter.js';

/** The request object of either Nest platform: express's `Request` or fastify's `FastifyRequest`. */
export interface PlatformRequest {
  raw?: IncomingMessage;
  originalUrl?: string;
  url?: string;
  rawBody?: Buffer;
  [key: string]: unknown;
}

/**
 * Our `RequestLike` for the request of either Nest platform (express passes the node request itself,
 * fastify wraps it in `.raw`).
 *
 * @example
 * const req = toRequestLike(context.switchToHttp().getRequest());
 */
export function toRequestLike(request: PlatformRequest): RequestLike {
  const raw = (request.raw ?? request) as IncomingMessage;
  const url = request.originalUrl ?? request.url ?? raw.url ?? '/';
  return request.rawBody === undefined
    ? fromNodeRequest(raw, { url })
    : fromNodeRequest(raw, { url, rawBody: request.rawBody });
}

/**
 * Carry out a verdict in a guard: allowed → core's `applyAllowed` on the node request and response (both
 * platforms merge those headers into the head they write); otherwise throw its answer, which
 * {@link BulwarkExceptionFilter} writes.
 *
 * @example
 * const verdict = await limiter.check(toRequestLike(request));
 * pass(request, http.getResponse(), verdict); // throws on a denial
 */
export function pass<T>(request: PlatformRequest, response: unknown, verdict: Verdict<T>): Allowed<T> {
  if (!verdict.ok) throw BulwarkAnswer.from(verdict);
  const res = response as { raw?: ServerResponse } & ServerResponse;
  applyAllowed((request.raw ?? request) as IncomingMessage, res.raw ?? res, verdict);
  return verdict;
}

/**
 * A guard's answer to a denial decided without waiting: a promise that rejects with its
 * {@link BulwarkAnswer} one microtask later. Nest treats it as a thrown denial (its guard runner awaits the
 * answer, the exception filters get the same exception), but it costs less (component A/B over Nest's
 * GuardsConsumer, Node 20 and 24: 0.85–0.98x of main's per 401/429): a throw out of `canActivate` rejects Nest's
 * runner before anyone listens, and so does an already rejected `Promise.reject`, each paying node's
 * unhandled-rejection bookkeeping; this one rejects after Nest's await is attached.
 *
 * @example
 * if (!verdict.ok) return refuse(verdict);
 */
export function refuse(verdict: Denied | Answered): Promise<never> {
  return Promise.resolve(verdict).then(thrown);
}

const thrown = (verdict: Denied | Answered): never => {
  throw BulwarkAnswer.from(verdict);
};
