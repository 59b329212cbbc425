import type { Allowed, Reply, RequestLike, Verdict } from '@bulwark/core';
import { applyAllowed, fromNodeRequest, setHeaders } from '@bulwark/core/node';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The request as bulwark's rules read it (fastify's `request.url` is the path the client asked for).
 *
 * @example
 * const v = await verifier.check(requestOf(request));
 */
export function requestOf(request: FastifyRequest): RequestLike {
  return fromNodeRequest(request.raw, { url: request.url });
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
 * Carry out a verdict: allowed → core's `applyAllowed` on the node request and response (fastify merges
 * those headers into the head it writes, also on its error paths) and return true; otherwise send its reply
 * and return false.
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
    send(reply, verdict.reply);
    return false;
  }
  applyAllowed(request.raw, reply.raw, verdict);
  return true;
}
