import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsPolicy, CorsResult, SecurityHeaders } from '@bulwark/core';
import { fromNodeRequest, setHeaderPairs } from '@bulwark/core/node';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { sendProblem } from './respond.js';

/**
 * The plugin's app-wide rules, run from the server's `request` event, ahead of fastify's own listener:
 * fastify answers a URL its router cannot decode (400 `FST_ERR_BAD_URL`) before any hook, so headers set
 * only in `onRequest` would be missing there. The `onRequest` hooks then reuse what was decided (and only
 * decide themselves for requests that never went through the server: `inject()`, `app.routing()`).
 */
export function installAhead(
  app: FastifyInstance,
  headers: SecurityHeaders | undefined,
  cors: CorsPolicy | undefined,
): void {
  if (headers === undefined && cors === undefined) return;
  const nonces = new WeakMap<IncomingMessage, string>();
  const corsResults = new WeakMap<IncomingMessage, CorsResult>();
  const seen = new WeakSet<IncomingMessage>();

  const applyHeaders = (req: IncomingMessage, res: ServerResponse): void => {
    const applied = headers!.forHeaders(req.headers);
    setHeaderPairs(res, applied.headers);
    if (applied.nonce !== undefined) nonces.set(req, applied.nonce);
  };
  const checkCors = (req: IncomingMessage, res: ServerResponse): CorsResult => {
    const result = cors!.check(fromNodeRequest(req, { url: req.url ?? '/' }));
    corsResults.set(req, result);
    // Only the grant (or the Vary) of an actual request: preflights and refusals are answered in onRequest.
    if (result.kind === 'actual') setHeaderPairs(res, result.headers);
    return result;
  };

  app.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (headers !== undefined) applyHeaders(req, res);
    if (cors !== undefined) checkCors(req, res);
    seen.add(req);
  });

  if (headers !== undefined) {
    const hook: onRequestHookHandler = function bulwarkSecurityHeaders(request, reply, done) {
      if (!seen.has(request.raw)) applyHeaders(request.raw, reply.raw);
      const nonce = nonces.get(request.raw);
      if (nonce !== undefined) reply.cspNonce = nonce;
      done();
    };
    app.addHook('onRequest', hook);
  }
  if (cors !== undefined) {
    const hook: onRequestHookHandler = function bulwarkCors(request, reply, done) {
      const result =
        (seen.has(request.raw) ? corsResults.get(request.raw) : undefined) ??
        checkCors(request.raw, reply.raw);
      if (result.kind === 'actual') return done();
      setHeaderPairs(reply.raw, result.headers);
      if (result.kind === 'denied') sendProblem(reply, result.error);
      else reply.code(result.status).send();
    };
    app.addHook('onRequest', hook);
  }
}
