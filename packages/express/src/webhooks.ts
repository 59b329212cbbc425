import {
  createWebhookVerifier,
  ruleFor,
  type Verdict,
  type WebhookDelivery,
  type WebhookVerifier,
  type WebhookVerifierOptions,
} from '@bulwark/core';
import { applyVerdict, settleWhenFinished, writeReply } from '@bulwark/core/node';
import { webhookCheckNow } from '@bulwark/core/toolkit';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { requestOf } from './http.js';

declare global {
  namespace Express {
    interface Request {
      /** The verified delivery, set by `verifyWebhook()`: `req.webhook.json()`, `req.webhook.id`. */
      webhook?: WebhookDelivery;
      /** Raw body bytes, when a global parser captured them (`express.json({ verify: captureRawBody })`). */
      rawBody?: Buffer;
    }
  }
}

/**
 * `verify` hook for a global `express.json()`: keeps the exact bytes on `req.rawBody`, so `verifyWebhook()`
 * works on routes registered after the global parser.
 *
 * @example
 * app.use(express.json({ verify: captureRawBody }));
 */
export function captureRawBody(req: Request, _res: Response, buf: Buffer): void {
  req.rawBody = buf;
}

/** The exact bytes of the body, if still available; otherwise whatever a parser left (the core names the mistake). */
function bodyOf(req: Request): unknown {
  if (req.rawBody !== undefined) return req.rawBody;
  // No body at all: the raw parser leaves req.body undefined; that is an empty delivery, refused by the core.
  return req.body === undefined ? new Uint8Array(0) : req.body;
}

/**
 * Verify a signed webhook (Standard Webhooks, Stripe, GitHub or generic HMAC) on one route. The raw body is
 * read with express's raw parser on this route only (size-limited: 413 before any HMAC), or taken from
 * `req.rawBody` when a global parser captured it with {@link captureRawBody}. A delivery already processed
 * is answered 200 `{"received":true,"duplicate":true}` without reaching the handler; otherwise `req.webhook`
 * holds it and its claim is settled by the response: done below 400, released on an error status or an
 * aborted response, so the sender's retry is processed.
 *
 * @example
 * app.post('/webhooks/billing', verifyWebhook({ scheme: 'standard', secrets: [process.env.WEBHOOK_SECRET!] }),
 *   (req, res) => { enqueue(req.webhook!.json()); res.sendStatus(204); });
 */
export function verifyWebhook(source: WebhookVerifierOptions | WebhookVerifier): RequestHandler {
  const verifier = ruleFor(source, 'webhooks', createWebhookVerifier);
  // inflate: false: a coded body is refused (415), never verified over bytes the sender did not send.
  const readRaw = express.raw({ type: () => true, limit: verifier.maxBodyBytes, inflate: false });

  // The verifier's decision without a promise when it had nothing to wait for: a forged, malformed or stale
  // delivery is refused before the middleware returns. An authentic one still waits for its event id's claim.
  const now = webhookCheckNow(verifier);

  function carryOut(
    req: Request,
    res: Response,
    next: NextFunction,
    verdict: Verdict<WebhookDelivery>,
  ): void {
    if (!applyVerdict(req, res, verdict)) return;
    settleWhenFinished(res, verdict.value);
    req.webhook = verdict.value;
    next();
  }

  function verify(req: Request, res: Response, next: NextFunction): void {
    let decided: Verdict<WebhookDelivery> | Promise<Verdict<WebhookDelivery>>;
    try {
      decided =
        now === undefined
          ? verifier.check(requestOf(req), bodyOf(req) as Uint8Array)
          : now(requestOf(req), bodyOf(req) as Uint8Array);
    } catch (err) {
      // check() rejects where the settled check throws (a body that is not bytes): the same error handling.
      next(err);
      return;
    }
    if (decided instanceof Promise) decided.then((verdict) => carryOut(req, res, next, verdict), next);
    else carryOut(req, res, next, decided);
  }

  return (req, res, next) => {
    // A global parser already consumed the stream: use what it captured (or let the core explain).
    if ((req as { _body?: boolean })._body === true || req.readableEnded) return verify(req, res, next);
    readRaw(req, res, (err?: unknown) => {
      if (err === undefined || err === null) return verify(req, res, next);
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large')
        return writeReply(res, verifier.refuseBody(requestOf(req), 'too_large').reply);
      if (type === 'encoding.unsupported')
        return writeReply(res, verifier.refuseBody(requestOf(req), 'encoded').reply);
      next(err);
    });
  };
}
