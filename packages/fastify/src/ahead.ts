import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answered, CorsGrant, CorsPolicy, Denied, SecurityHeaders, Verdict } from '@bulwark/core';
import { fromNodeRequest, writeHeaders } from '@bulwark/core/node';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { headerApplier } from './headers.js';
import { refuseTo } from './reply.js';

/** What the server's `request` listener decided, kept on the request for the `onRequest` hook. */
const AHEAD: unique symbol = Symbol('bulwark.fastify.ahead');

/** What is left for `onRequest` when there is more than the headers already set: a nonce, a CORS answer. */
interface Decided {
  readonly nonce: string | undefined;
  /** A preflight answer or a refusal; undefined when the request continues (its CORS headers are set). */
  readonly cors: Denied | Answered | undefined;
}

/** Everything was done ahead: the headers are set and the request continues. */
const NOTHING_LEFT: Decided = Object.freeze({ nonce: undefined, cors: undefined });

interface AheadRequest extends IncomingMessage {
  [AHEAD]?: Decided;
}

/**
 * A synchronous hook step run after the app-wide rules in the same `onRequest` hook (the plugin's rate
 * limit on the memory store): it calls `done` itself, or sends or hands a denial on.
 */
export type NextStep = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/**
 * The plugin's app-wide rules, run from the server's `request` event, ahead of fastify's own listener:
 * fastify answers a URL its router cannot decode (400 `FST_ERR_BAD_URL`) before any hook, so headers set
 * only in `onRequest` would be missing there. One `onRequest` hook then finishes what is left (a nonce, a
 * preflight answer or a CORS refusal) and runs `next` (the plugin's synchronous rate limit) in the same
 * hook, so the three rules cost fastify one hook; it decides itself for requests that never went through
 * the server (`inject()`, `app.routing()`). Returns whether it added a hook.
 */
export function installAhead(
  app: FastifyInstance,
  headers: SecurityHeaders | undefined,
  cors: CorsPolicy | undefined,
  next?: NextStep,
): boolean {
  if (headers === undefined && cors === undefined) return false;
  const apply = headers === undefined ? undefined : headerApplier(headers);

  const decide = (req: IncomingMessage, res: ServerResponse): Decided => {
    const nonce = apply === undefined ? undefined : apply(req, res);
    let left: Denied | Answered | undefined;
    if (cors !== undefined) {
      const verdict: Verdict<CorsGrant> = cors.check(fromNodeRequest(req, { url: req.url ?? '/' }));
      // Only the grant (or the Vary) of an actual request: preflights and refusals are answered in onRequest.
      if (verdict.ok) writeHeaders(res, verdict.headers);
      else left = verdict;
    }
    return nonce === undefined && left === undefined ? NOTHING_LEFT : { nonce, cors: left };
  };

  app.server.prependListener('request', (req: AheadRequest, res: ServerResponse) => {
    req[AHEAD] = decide(req, res);
  });

  function bulwarkAppRules(
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    const req = request.raw as AheadRequest;
    const decided = req[AHEAD] ?? decide(req, reply.raw);
    if (decided !== NOTHING_LEFT) {
      if (decided.nonce !== undefined) reply.cspNonce = decided.nonce;
      // A preflight is answered (and not counted by the rate limit), a refusal thrown to the error pipeline.
      if (decided.cors !== undefined) {
        refuseTo(request, reply, decided.cors, done);
        return;
      }
    }
    if (next !== undefined) next(request, reply, done);
    else done();
  }
  app.addHook('onRequest', bulwarkAppRules);
  return true;
}
