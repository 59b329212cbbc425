import { type Reply, toResponse } from '@bulwark/core';

/**
 * Where a Response built by {@link replyResponse} keeps its reply's body text. Registered: the node bridge of
 * another installed copy of @bulwark/fetch reads it too.
 */
export const REPLY_TEXT: unique symbol = Symbol.for('bulwark.fetch.replyText');

/** A Response that may carry the text of the reply it was built from. */
export type WithReplyText = Response & { [REPLY_TEXT]?: string };

/**
 * Core's `toResponse`, with the reply's body text kept on the Response: the node bridge then writes a
 * refusal's bytes from that text instead of reading them back out of the Response's body stream (on node,
 * reading a small body through its stream costs about as much as everything else the bridge does to write
 * the response), as long as nothing read or took that stream in between.
 *
 * @example
 * if (!verdict.ok) return replyResponse(verdict.reply);
 */
export function replyResponse(reply: Reply): Response {
  const response: WithReplyText = toResponse(reply);
  if (reply.body !== undefined) response[REPLY_TEXT] = reply.body;
  return response;
}
