import type { Allowed, Answered, Denied, Reply, RequestLike, SecurityError, Verdict } from '@bulwark/core';
import { applyAllowed, fromNodeRequest, setHeaders } from '@bulwark/core/node';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { eventsOf } from './events.js';

/** Where {@link requestOf} keeps a request's RequestLike for the next bulwark hook of the same request. */
export const REQUEST_LIKE: unique symbol = Symbol('bulwark.fastify.requestLike');

interface HoldingRequest extends FastifyRequest {
  [REQUEST_LIKE]?: RequestLike | undefined;
}

/**
 * The request as bulwark's rules read it (fastify's `request.url` is the path the client asked for). One per
 * request, shared by its bulwark hooks (CORS, rate limit, JWT…): it reads method and headers from node's
 * request when asked, so it is rebuilt only if the URL changed in between (a hook rewriting it).
 *
 * @example
 * const v = await verifier.check(requestOf(request));
 */
export function requestOf(request: FastifyRequest): RequestLike {
  const holder = request as HoldingRequest;
  const url = request.url;
  const held = holder[REQUEST_LIKE];
  if (held !== undefined && held.url === url) return held;
  const made = fromNodeRequest(request.raw, { url, events: eventsOf(request.server) });
  holder[REQUEST_LIKE] = made;
  return made;
}

/**
 * Send a reply (a denial's problem+json, a preflight answer, a redirect) through fastify, so its `onSend`
 * and `onResponse` hooks see it. Returns the reply so async hooks can `return send(reply, r)`.
 *
 * @example
 * if (!verdict.ok) return send(reply, verdict.reply);
 */
export function send(reply: FastifyReply, answer: Reply): FastifyReply {
  reply.code(answer.status);
  for (const pair of answer.headers) {
    // Vary merges with what earlier hooks set on the node response; the rest must be fastify's own
    // headers, or its defaults (content-type of a string body) would win over ours at writeHead.
    if (pair[0] === 'vary') setHeaders(reply.raw, [pair]);
    else reply.header(pair[0], pair[1]);
  }
  return reply.send(answer.body);
}

/**
 * A bulwark denial on its way through fastify's error pipeline: `onError` hooks and the app's
 * `setErrorHandler` see it (`error.code` is the stable bulwark code, `error.statusCode` the status), and the
 * `bulwark` plugin's error handler writes `reply`, the problem+json response with the rule's headers. An
 * error handler of your own hands it on with `reply.send(error)` to answer it that way.
 *
 * @example
 * app.addHook('onError', async (request, _reply, error) => {
 *   if (error instanceof BulwarkDenial) request.log.warn({ code: error.code }, 'denied');
 * });
 */
export class BulwarkDenial extends Error {
  /** The HTTP status fastify and its error handlers read. */
  readonly statusCode: number;
  /** The stable bulwark error code (`JWT_EXPIRED`, `CORS_ORIGIN_DENIED`…). */
  readonly code: string;
  /** The refusal, as the rule decided it. */
  readonly error: SecurityError;
  /** What the client is answered: status, headers and problem+json body. */
  readonly reply: Reply;

  constructor(denied: Denied) {
    super(denied.error.message, { cause: denied.error });
    this.name = 'BulwarkDenial';
    this.statusCode = denied.reply.status;
    this.code = denied.error.code;
    this.error = denied.error;
    this.reply = denied.reply;
  }

  /**
   * The error for a denial, built without a stack trace: under attack denials are the common case, and the
   * stack would only point into a bulwark hook.
   *
   * @example
   * throw BulwarkDenial.from(verdict);
   */
  static from(denied: Denied): BulwarkDenial {
    // withoutStackTrace, inlined: no closure per denial.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new BulwarkDenial(denied);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/** The instance decoration the `bulwark` plugin sets where its error handler writes denials. */
export const DENIALS_HANDLED = 'bulwarkDenialsHandled';

/**
 * The `bulwark` plugin's error handlers as fastify holds them (`app.errorHandler`, bound by fastify): a scope
 * that sets its own handler and would hand a denial on to one of these writes it itself (the same answer,
 * without a second pass of fastify's error pipeline).
 */
export const DENIAL_WRITERS: WeakSet<object> = new WeakSet();

/**
 * Refuse or answer a request: a denial is thrown into fastify's error pipeline where the `bulwark` plugin's
 * error handler writes it (sent directly when the plugin is not registered above this route); a rule's own
 * answer (a preflight, a duplicate webhook, an OIDC redirect) is sent.
 *
 * @example
 * if (!verdict.ok) return refuse(request, reply, verdict);
 */
export function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  verdict: Denied | Answered,
): FastifyReply {
  const denial = denialOf(request, verdict);
  if (denial !== undefined) throw denial;
  return send(reply, verdict.reply);
}

/**
 * {@link refuse} for a callback-style hook: the denial goes to `done` (the error pipeline a thrown error
 * reaches too, without the cost of a throw); an answer is sent.
 */
export function refuseTo(
  request: FastifyRequest,
  reply: FastifyReply,
  verdict: Denied | Answered,
  done: HookHandlerDoneFunction,
): void {
  const denial = denialOf(request, verdict);
  if (denial !== undefined) done(denial);
  else send(reply, verdict.reply);
}

/**
 * Carry out a verdict in a callback-style hook: allowed → `accept` (applies it to the request and reply),
 * then `done()`; a denial → `done(denial)`, the error pipeline a rejected async hook reaches; a rule's own
 * answer is sent (and `done` not called, as fastify asks of a hook that replied). A throw while carrying it
 * out reaches `done` as it is: fastify's error pipeline, never the handler.
 */
export function settleTo<V extends Verdict<unknown>>(
  request: FastifyRequest,
  reply: FastifyReply,
  verdict: V,
  done: HookHandlerDoneFunction,
  accept: (request: FastifyRequest, reply: FastifyReply, verdict: Extract<V, { ok: true }>) => unknown,
): void {
  // done() runs the next step synchronously: it is called outside the try, as fastify would call it.
  let next: Error | undefined;
  try {
    if (verdict.ok) accept(request, reply, verdict as Extract<V, { ok: true }>);
    else {
      next = denialOf(request, verdict);
      if (next === undefined) {
        send(reply, verdict.reply);
        return;
      }
    }
  } catch (err) {
    // What an async hook's rejection would have carried.
    next = err as Error;
  }
  done(next);
}

/**
 * Run a rule's check in a callback-style hook and carry out what it decided: a verdict known at once (the
 * check had nothing to wait for) is carried out before this returns, a promise when it settles, both by
 * {@link settleTo}; a check that throws, or a promise that rejects, goes to `done` by {@link failTo}
 * (`hook` names the hook in the error for a rejection without a reason). `decide` is built once per hook,
 * not per request.
 *
 * @example
 * settleDecision(request, reply, done, decide, accept, 'requireJwt');
 */
export function settleDecision<V extends Verdict<unknown>>(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
  decide: (request: FastifyRequest) => V | Promise<V>,
  accept: (request: FastifyRequest, reply: FastifyReply, verdict: Extract<V, { ok: true }>) => unknown,
  hook: string,
): void {
  let decided: V | Promise<V>;
  try {
    decided = decide(request);
  } catch (err) {
    // check() rejects where the settled check throws: the same error pipeline.
    failTo(done, err, hook);
    return;
  }
  if (decided instanceof Promise) {
    decided.then(
      (verdict) => settleTo(request, reply, verdict, done, accept),
      (err: unknown) => failTo(done, err, hook),
    );
  } else settleTo(request, reply, decided, done, accept);
}

/**
 * A check that rejected (or threw) in a callback-style hook: never continue, whatever it carries (a falsy
 * reason would read as "go on").
 */
export function failTo(done: HookHandlerDoneFunction, err: unknown, hook: string): void {
  done((err || new Error(`${hook}: the verifier rejected without a reason`)) as Error);
}

/**
 * The error to hand fastify's error pipeline for a denial, where the `bulwark` plugin's error handler writes
 * denials; undefined when the reply is to be sent directly (an answer, or no plugin above this route).
 */
export function denialOf(request: FastifyRequest, verdict: Denied | Answered): BulwarkDenial | undefined {
  if (
    verdict.error !== undefined &&
    (request.server as unknown as Record<string, unknown>)[DENIALS_HANDLED]
  ) {
    return BulwarkDenial.from(verdict);
  }
  return undefined;
}

/**
 * Carry out a verdict: allowed → core's `applyAllowed` on the node request and response (fastify merges
 * those headers into the head it writes, also on its error paths) and return true; otherwise {@link refuse}
 * (a denial throws) and return false.
 *
 * @example
 * if (!pass(request, reply, verdict)) return reply;
 */
export function pass<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  verdict: Verdict<T>,
): verdict is Allowed<T> {
  if (!verdict.ok) {
    refuse(request, reply, verdict);
    return false;
  }
  applyAllowed(request.raw, reply.raw, verdict);
  return true;
}
