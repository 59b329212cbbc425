import {
  type Allowed,
  createWebhookVerifier,
  deny,
  ruleFor,
  WEBHOOK_ERRORS,
  type WebhookDelivery,
  type WebhookVerifier,
  type WebhookVerifierOptions,
  type Verdict,
} from '@bulwark/core';
import { numberOption, webhookCheckNow } from '@bulwark/core/toolkit';
import { applyAllowed, settleWhenFinished } from '@bulwark/core/node';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import fp from 'fastify-plugin';
import type { BulwarkHook } from './jwt.js';
import { BulwarkDenial, DENIAL_WRITERS, pass, requestOf, send, settleDecision } from './reply.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified delivery, set by `verifyWebhook()`: `request.webhook.json()`, `request.webhook.id`. */
    webhook?: WebhookDelivery;
  }
}

// The parser refuses an oversize body before any route hook runs: the verifier's own 413.
const TOO_LARGE = deny(WEBHOOK_ERRORS.bodyTooLarge);
const UNPARSABLE = deny(WEBHOOK_ERRORS.contentTypeUnsupported);

/** Options of {@link rawWebhookBody}. */
export interface RawWebhookBodyOptions {
  /** Bodies larger than this are refused with 413 `WEBHOOK_BODY_TOO_LARGE` while reading. Default 1 MiB. */
  maxBodyBytes?: number;
}

/**
 * Make every route of the current (encapsulated) scope receive its body as raw bytes: the scope's content
 * type parsers are replaced by one that keeps the Buffer, so the JSON parser of the rest of the app is
 * untouched. Register it inside `app.register(async (scope) => …)` next to the webhook routes.
 *
 * @example
 * await app.register(async (scope) => {
 *   await scope.register(rawWebhookBody, { maxBodyBytes: 1_048_576 });
 *   scope.post('/webhooks/billing', { preHandler: verifyWebhook(options) }, async (request) => {
 *     await enqueue(request.webhook!.json());
 *     return { ok: true };
 *   });
 * });
 */
export const rawWebhookBody: FastifyPluginAsync<RawWebhookBodyOptions> = fp(rawBodyPlugin, {
  fastify: '5.x',
});

// Wrapped with fastify-plugin so it changes the scope it is registered in (not a child of it); the scope
// itself stays encapsulated from the rest of the app.
async function rawBodyPlugin(scope: FastifyInstance, options: RawWebhookBodyOptions): Promise<void> {
  // NaN would reach fastify as the parser's bodyLimit and switch the cap off. (Other keys are fastify's own
  // registration options, so unknown keys are not refused here.)
  const bodyLimit = numberOption('fastify.rawWebhookBody.maxBodyBytes', options.maxBodyBytes, {
    min: 1,
    max: 1_073_741_824,
    fallback: 1_048_576,
  });
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );
  // The handler this one hands errors on to (fastify chains a scope's handler to the one it inherits, fixed
  // now): when that is the bulwark plugin's, a denial (a forged delivery's 401) is written here, as that
  // handler would write it, instead of going round fastify's error pipeline a second time. An app's own
  // handler in between still gets every denial.
  const writesDenials = DENIAL_WRITERS.has(scope.errorHandler);
  scope.setErrorHandler((error: { code?: string }, _request, reply) => {
    if (writesDenials && error instanceof BulwarkDenial) return send(reply, error.reply);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, TOO_LARGE.reply);
    // A Content-Type fastify cannot parse at all (`a/b/c`): refused before any parser, so before the rule.
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(reply, UNPARSABLE.reply);
    return reply.send(error);
  });
}

/**
 * Verify a signed webhook (Standard Webhooks, Stripe, GitHub or generic HMAC), as a route `preHandler` in a
 * scope that registered {@link rawWebhookBody}. A delivery already processed is answered 200
 * `{"received":true,"duplicate":true}` without reaching the handler; otherwise `request.webhook` holds it and
 * its claim is settled when the response finishes: done on 2xx/3xx, released on an error or an abort.
 *
 * @example
 * scope.post('/webhooks/github', { preHandler: verifyWebhook({ scheme: 'github', secrets: [secret] }) },
 *   async (request) => ({ delivery: request.webhook!.id }));
 */
export function verifyWebhook(source: WebhookVerifierOptions | WebhookVerifier): BulwarkHook {
  const verifier = ruleFor(source, 'webhooks', createWebhookVerifier);
  // The verifier's decision without a promise when it had nothing to wait for: a forged or malformed
  // delivery on the node back end is refused before the hook returns. An authentic one waits for its claim.
  const now = webhookCheckNow(verifier);
  const accept = (request: FastifyRequest, reply: FastifyReply, verdict: Allowed<WebhookDelivery>): void => {
    applyAllowed(request.raw, reply.raw, verdict);
    settleWhenFinished(reply.raw, verdict.value);
    request.webhook = verdict.value;
  };
  // Callback-style for fastify, as requireJwt: a denial reaches `done`, the error pipeline a rejected async
  // hook reaches; a duplicate's answer is sent. Called by hand without `done`, it answers as an async hook.
  const decide = (request: FastifyRequest): Verdict<WebhookDelivery> | Promise<Verdict<WebhookDelivery>> =>
    now === undefined
      ? verifier.check(requestOf(request), bodyOf(request))
      : now(requestOf(request), bodyOf(request));
  function bulwarkVerifyWebhook(
    request: FastifyRequest,
    reply: FastifyReply,
    done?: HookHandlerDoneFunction,
  ): Promise<FastifyReply | undefined> | undefined {
    if (done === undefined) {
      return verifier.check(requestOf(request), bodyOf(request)).then((verdict) => {
        if (!pass(request, reply, verdict)) return reply;
        settleWhenFinished(reply.raw, verdict.value);
        request.webhook = verdict.value;
        return undefined;
      });
    }
    // A body that is not bytes: the settled check throws where check() rejects, the same error pipeline.
    settleDecision(request, reply, done, decide, accept, 'verifyWebhook');
    return undefined;
  }
  return bulwarkVerifyWebhook as BulwarkHook;
}

/** The delivery's body; no body at all (fastify ran no parser) is an empty delivery, refused by the core. */
function bodyOf(request: FastifyRequest): Uint8Array {
  const body = request.body;
  return (body === undefined || body === null ? new Uint8Array(0) : body) as Uint8Array;
}
