import {
  createWebhookVerifier,
  deny,
  ruleFor,
  type WebhookDelivery,
  type WebhookVerifier,
  type WebhookVerifierOptions,
} from '@bulwark/core';
import { readBodyCapped } from '@bulwark/core/toolkit';
import type { Context, MiddlewareHandler } from 'hono';
import { denial, proceed, requestOf, stop } from './context.js';

/** What {@link verifyWebhook} puts in `c.var`. */
export interface WebhookVariables {
  /** The verified delivery: `c.var.webhook.json()`, `c.var.webhook.id`. */
  webhook: WebhookDelivery;
}

type BodyCache = Record<string, Promise<unknown> | undefined>;

/**
 * The body exactly as sent, read from the stream with the verifier's cap; or, when something earlier in the
 * chain already read it through Hono (`c.req.json()`, a validator), what Hono kept of it. Hono keeps the
 * text of a JSON body: encoded back to UTF-8 it is the sent bytes whenever they were valid UTF-8, and when
 * they were not the signature simply fails to match, so nothing unsigned is ever accepted. A form Hono
 * parsed is handed over as it is, and the verifier refuses it naming the mistake.
 */
async function bodyOf(c: Context, maxBytes: number): Promise<Uint8Array | 'too_large' | unknown> {
  const cache = c.req.bodyCache as BodyCache;
  if (cache.arrayBuffer !== undefined) return await cache.arrayBuffer;
  if (cache.blob !== undefined) return await ((await cache.blob) as Blob).arrayBuffer();
  if (cache.text !== undefined) return new TextEncoder().encode((await cache.text) as string);
  const other = Object.values(cache)[0];
  if (other !== undefined) return await other;
  const read = await readBodyCapped(c.req.raw, maxBytes);
  if (!read.ok) {
    if (read.error === 'too_large') return 'too_large';
    // The runtime refused the body while streaming it: its refusal is the answer.
    throw denial(read.error, deny(read.error).reply);
  }
  const bytes = read.value;
  // The handler may still read the body through Hono (c.req.json(), c.req.text()): hand it these bytes.
  cache.arrayBuffer = Promise.resolve(
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.slice().buffer,
  );
  return bytes;
}

/**
 * Verify a signed webhook (Standard Webhooks, Stripe, GitHub or generic HMAC) on one route. The raw body is
 * read here from the request stream, size-limited (413 before any HMAC, counted while streaming), and stays
 * readable through `c.req.json()`/`c.req.text()`. A delivery already processed is answered 200
 * `{"received":true,"duplicate":true}` without reaching the handler; otherwise `c.var.webhook` holds it and
 * its claim is settled by the response: done below 400, released on an error status or a throw, so the
 * sender's retry is processed. Denials are thrown as an `HTTPException` with the problem+json response.
 *
 * @example
 * app.post('/webhooks/billing', verifyWebhook({ scheme: 'standard', secrets: [env.WEBHOOK_SECRET] }), (c) => {
 *   enqueue(c.var.webhook.json());
 *   return c.body(null, 204);
 * });
 */
export function verifyWebhook(
  source: WebhookVerifierOptions | WebhookVerifier,
): MiddlewareHandler<{ Variables: WebhookVariables }> {
  const verifier = ruleFor(source, 'webhooks', createWebhookVerifier);
  return async function bulwarkWebhook(c, next) {
    const req = requestOf(c);
    const body = await bodyOf(c, verifier.maxBodyBytes);
    if (body === 'too_large') return stop(verifier.refuseBody(req, 'too_large'));
    const verdict = await verifier.check(req, body as Uint8Array);
    if (!verdict.ok) return stop(verdict);
    const delivery = verdict.value;
    c.set('webhook', delivery);
    try {
      await proceed(c, next, verdict);
    } catch (error) {
      void delivery.settle(false);
      throw error;
    }
    // A throw below was answered by the app's error handler (c.error set): release the claim.
    void delivery.settle(c.error === undefined ? c.res.status : false);
  };
}
