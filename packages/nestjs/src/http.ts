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
 * A guard's answer to a denial decided without waiting: its {@link BulwarkAnswer} as a rejected promise
 * rather than thrown. Nest treats both alike (its guard runner awaits the answer, the exception filters get
 * the same exception), but a synchronous throw out of `canActivate` costs V8 a throw with its message
 * object on top of the rejection Nest's async guard runner turns it into.
 *
 * @example
 * if (!verdict.ok) return refuse(verdict);
 */
export function refuse(verdict: Denied | Answered): Promise<never> {
  return Promise.reject(BulwarkAnswer.from(verdict));
}
