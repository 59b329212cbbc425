import {
  createWebhookVerifier,
  deny,
  isSecurityError,
  ruleFor,
  type SecurityError,
  toResponse,
  type WebhookVerifier,
  type WebhookVerifierOptions,
} from '@bulwark/core';
import type { Stage } from './pipeline.js';

/** The `webhook` entry of a protect policy: verifier options or a verifier built with `createWebhookVerifier`. */
export type WebhookPolicy = WebhookVerifierOptions | WebhookVerifier;

const TOO_LARGE = Symbol('too large');

/**
 * Read the body as bytes, refusing more than `limit` bytes: by `content-length` before reading, and by
 * counting while streaming (chunked bodies have no length), so an oversize body is never buffered whole.
 */
async function readBody(
  request: Request,
  limit: number,
): Promise<Uint8Array | typeof TOO_LARGE | SecurityError> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return TOO_LARGE;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      // The runtime refused the body while streaming it (the node bridge's limit): answer that refusal.
      if (isSecurityError(error)) return error;
      throw error;
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * The webhook stage: reads the raw body (`arrayBuffer`-style, size-limited), verifies the signature and
 * claims the event id. The handler gets the delivery as `context.webhook` (the request body is consumed:
 * use `context.webhook.json()`). A delivery already processed is answered 200
 * `{"received":true,"duplicate":true}` without calling the handler; the claim is settled by the handler's
 * response (done below 400, released otherwise) or released when it throws.
 *
 * @example
 * const stage = webhookStage({ scheme: 'stripe', secrets: [env.STRIPE_WEBHOOK_SECRET] });
 */
export function webhookStage(policy: WebhookPolicy): Stage {
  const verifier = ruleFor(policy, 'webhooks', createWebhookVerifier);
  return {
    async before(state) {
      const body = await readBody(state.request, verifier.maxBodyBytes);
      if (body === TOO_LARGE) return toResponse(verifier.refuseBody(state.req, 'too_large').reply);
      // The runtime refused the body while streaming it (the node bridge's limit): its refusal is the answer.
      if (!(body instanceof Uint8Array)) return toResponse(deny(body).reply);
      const verdict = await verifier.check(state.req, body);
      if (!verdict.ok) return toResponse(verdict.reply);
      state.context.webhook = verdict.value;
      state.context.rawBody = body;
      return undefined;
    },
    finish(state, response) {
      void state.context.webhook?.settle(response.status);
      return response;
    },
    fail(state) {
      void state.context.webhook?.settle(false);
    },
  };
}
