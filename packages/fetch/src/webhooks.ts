import {
  createWebhookVerifier,
  deny,
  ruleFor,
  type WebhookVerifier,
  type WebhookVerifierOptions,
} from '@bulwark/core';
import { replyResponse } from './reply.js';
import { readBodyCapped, webhookCheckNow } from '@bulwark/core/toolkit';
import { admit, type Stage } from './pipeline.js';

/** The `webhook` entry of a protect policy: verifier options or a verifier built with `createWebhookVerifier`. */
export type WebhookPolicy = WebhookVerifierOptions | WebhookVerifier;

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
  // The verifier's check that answers without a promise when nothing had to be waited for (a forged or
  // malformed delivery on the node back end): its refusal is then not awaited (no promise, no microtask hop).
  const now = webhookCheckNow(verifier);
  return {
    async before(state) {
      const read = await readBodyCapped(state.request, verifier.maxBodyBytes);
      if (!read.ok) {
        // Over the verifier's limit, or refused by the runtime while streaming (the node bridge's limit).
        return replyResponse(
          read.error === 'too_large'
            ? verifier.refuseBody(state.req, 'too_large').reply
            : deny(read.error).reply,
        );
      }
      const body = read.value;
      const checked = now !== undefined ? now(state.req, body) : verifier.check(state.req, body);
      const verdict = checked instanceof Promise ? await checked : checked;
      if (!verdict.ok) return replyResponse(verdict.reply);
      admit(state, verdict);
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
