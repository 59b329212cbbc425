import { type HeaderFields, renderProblem, type SecurityError } from '@bulwark/core';
import type { FastifyReply } from 'fastify';

/**
 * Send a denial as RFC 9457 problem+json. Returns the reply so async hooks can `return sendProblem(...)`.
 *
 * @example
 * if (!verdict.ok) return sendProblem(reply, verdict.error);
 */
export function sendProblem(reply: FastifyReply, error: SecurityError): FastifyReply {
  const problem = renderProblem(error);
  return reply.code(problem.status).headers(problem.headers).send(problem.body);
}

/**
 * Set the headers an allowed verdict carries.
 *
 * @example
 * applyHeaders(reply, verdict.headers);
 */
export function applyHeaders(reply: FastifyReply, headers: HeaderFields): void {
  for (const name in headers) reply.header(name, headers[name]!);
}
