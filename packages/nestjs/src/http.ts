import type { IncomingMessage } from 'node:http';
import type { HeaderFields, RequestLike } from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';

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

interface PlatformResponse {
  setHeader?: (name: string, value: string) => unknown;
  header?: (name: string, value: string) => unknown;
}

/**
 * Set headers on the response object of either platform.
 *
 * @example
 * setResponseHeaders(context.switchToHttp().getResponse(), verdict.headers);
 */
export function setResponseHeaders(response: unknown, headers: HeaderFields): void {
  const res = response as PlatformResponse;
  for (const name in headers) {
    if (typeof res.setHeader === 'function') res.setHeader(name, headers[name]!);
    else if (typeof res.header === 'function') res.header(name, headers[name]!);
  }
}
