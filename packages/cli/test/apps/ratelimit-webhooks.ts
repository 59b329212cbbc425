/**
 * Rate limiting with express-rate-limit and webhook receivers as users write them, with the planted
 * mistakes, and their hardened twins.
 */
import { createHmac } from 'node:crypto';
import { createMemoryReplayStore } from '@bulwark/core';
import { verifyWebhook } from '@bulwark/express';
import express from 'express';
import { rateLimit } from 'express-rate-limit';

/** express-rate-limit behind `trust proxy: true` (the client's X-Forwarded-For is believed), no headers. */
export function spoofableLimiterApp(): express.Express {
  const app = express();
  app.set('trust proxy', true);
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: 5,
      standardHeaders: false,
      legacyHeaders: false,
      // What users do to silence the library's warning about exactly this setting.
      validate: { trustProxy: false },
    }),
  );
  app.get('/login', (_req, res) => res.json({ ok: true }));
  return app;
}

/** The twin: no proxy trusted, IETF RateLimit fields and Retry-After. */
export function hardenedLimiterApp(): express.Express {
  const app = express();
  app.use(rateLimit({ windowMs: 60_000, limit: 5, standardHeaders: 'draft-8', legacyHeaders: false }));
  app.get('/login', (_req, res) => res.json({ ok: true }));
  return app;
}

export const STRIPE_SECRET = 'whsec_bulwark_audit_test_secret_0123456789';

/**
 * A Stripe-style receiver written by hand: JSON parsed first, the HMAC computed over JSON.stringify(req.body),
 * compared with ===, the timestamp never checked, no deduplication. `processed` counts handler runs.
 */
export function naiveWebhookApp(): express.Express & { processed: Map<string, number> } {
  const processed = new Map<string, number>();
  const app = express() as express.Express & { processed: Map<string, number> };
  app.processed = processed;
  app.post('/webhooks/stripe', express.json(), (req, res) => {
    const header = req.get('stripe-signature') ?? '';
    const t = /t=(\d+)/.exec(header)?.[1];
    const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1];
    const expected = createHmac('sha256', STRIPE_SECRET)
      .update(`${t}.${JSON.stringify(req.body)}`)
      .digest('hex');
    if (v1 !== expected) return void res.status(400).json({ error: 'bad signature' });
    processed.set(req.body.id, (processed.get(req.body.id) ?? 0) + 1);
    res.json({ received: true });
  });
  return app;
}

/** The twin: @bulwark/express verifyWebhook with the Stripe scheme and a replay store. */
export function hardenedWebhookApp(): express.Express & { processed: Map<string, number> } {
  const processed = new Map<string, number>();
  const app = express() as express.Express & { processed: Map<string, number> };
  app.processed = processed;
  app.post(
    '/webhooks/stripe',
    verifyWebhook({ scheme: 'stripe', secrets: [STRIPE_SECRET], replayStore: createMemoryReplayStore() }),
    (req, res) => {
      const event = req.webhook!.json() as { id: string };
      processed.set(event.id, (processed.get(event.id) ?? 0) + 1);
      res.json({ received: true });
    },
  );
  return app;
}
