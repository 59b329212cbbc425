import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsGrant, CorsPolicy, SecurityHeaders, Verdict } from '@bulwark/core';
import { fromNodeRequest, setHeaders } from '@bulwark/core/node';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { NodeHeaders } from './headers.js';
import { refuse } from './reply.js';

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
  const corsVerdicts = new WeakMap<IncomingMessage, Verdict<CorsGrant>>();
  const seen = new WeakSet<IncomingMessage>();

  const applyHeaders = (req: IncomingMessage, res: ServerResponse): void => {
    const verdict = headers!.check(new NodeHeaders(req));
    setHeaders(res, verdict.headers);
    const remove = verdict.value.remove;
    for (let i = 0; i < remove.length; i++) res.removeHeader(remove[i]!);
    if (verdict.value.nonce !== undefined) nonces.set(req, verdict.value.nonce);
  };
  const checkCors = (req: IncomingMessage, res: ServerResponse): Verdict<CorsGrant> => {
    const verdict = cors!.check(fromNodeRequest(req, { url: req.url ?? '/' }));
    corsVerdicts.set(req, verdict);
    // Only the grant (or the Vary) of an actual request: preflights and refusals are answered in onRequest.
    if (verdict.ok) setHeaders(res, verdict.headers);
    return verdict;
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
      const verdict =
        (seen.has(request.raw) ? corsVerdicts.get(request.raw) : undefined) ??
        checkCors(request.raw, reply.raw);
      if (verdict.ok) return done();
      refuse(request, reply, verdict);
    };
    app.addHook('onRequest', hook);
  }
}
