import {
  createWebhookVerifier,
  WEBHOOK_ERRORS,
  type WebhookDelivery,
  type WebhookVerifier,
  type WebhookVerifierOptions,
  ruleFrom,
} from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { sendProblem } from './respond.js';

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
 * holds it and its claim is settled when the response finishes: done on 2xx/3xx, released on an error or
 * an aborted response, so the sender's retry is processed.
 *
 * @example
 * app.post('/webhooks/billing', verifyWebhook({ scheme: 'standard', secrets: [process.env.WEBHOOK_SECRET!] }),
 *   (req, res) => { enqueue(req.webhook!.json()); res.sendStatus(204); });
 */
export function verifyWebhook(source: WebhookVerifierOptions | WebhookVerifier): RequestHandler {
  const verifier = ruleFrom(source, createWebhookVerifier, 'verifySignature');
  // inflate: false: a coded body is refused (415), never verified over bytes the sender did not send.
  const readRaw = express.raw({ type: () => true, limit: verifier.maxBodyBytes, inflate: false });

  function verify(req: Request, res: Response, next: NextFunction): void {
    const body = bodyOf(req) as Uint8Array;
    verifier.verify(fromNodeRequest(req, { url: req.originalUrl }), body).then((verdict) => {
      if (!verdict.ok) return sendProblem(res, verdict.error);
      const delivery = verdict.value;
      if (delivery.duplicate) {
        res.status(200).json({ received: true, duplicate: true });
        return;
      }
      req.webhook = delivery;
      res.once('finish', () => void delivery.settle(res.statusCode < 400));
      res.once('close', () => {
        if (!res.writableFinished) void delivery.settle(false);
      });
      next();
    }, next);
  }

  return (req, res, next) => {
    // A global parser already consumed the stream: use what it captured (or let the core explain).
    if ((req as { _body?: boolean })._body === true || req.readableEnded) return verify(req, res, next);
    readRaw(req, res, (err?: unknown) => {
      if (err === undefined || err === null) return verify(req, res, next);
      if ((err as { type?: string }).type === 'entity.too.large')
        return sendProblem(res, WEBHOOK_ERRORS.bodyTooLarge);
      if ((err as { type?: string }).type === 'encoding.unsupported')
        return sendProblem(res, WEBHOOK_ERRORS.contentEncodingUnsupported);
      next(err);
    });
  };
}
