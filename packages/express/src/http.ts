import type { RequestLike } from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import type { Request } from 'express';
import { eventsOf } from './events.js';

/**
 * The request as bulwark's rules read it: express rewrites `req.url` under mounted routers, so the path
 * the client asked for is `originalUrl`.
 *
 * @example
 * const v = await verifier.check(requestOf(req));
 */
export function requestOf(req: Request): RequestLike {
  return fromNodeRequest(req, { url: req.originalUrl, events: eventsOf(req) });
}
