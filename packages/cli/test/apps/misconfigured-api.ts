/**
 * One API with the usual mistakes together, built as users build it today: express + cors({ origin: true,
 * credentials: true }) without helmet, jws verifying with the token's own algorithm, express-rate-limit
 * trusting X-Forwarded-For, and a Stripe-style webhook checked over re-serialised JSON. docs/audit.md shows
 * the report of this app.
 */
import { createHmac } from 'node:crypto';
import cors from 'cors';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import jws from 'jws';
import { STRIPE_SECRET } from './ratelimit-webhooks.js';

export function misconfiguredApi(idp: { publicPem: string }): express.Express {
  const app = express();
  app.set('trust proxy', true);
  app.use(cors({ origin: true, credentials: true }));
  app.post('/webhooks/stripe', express.json(), (req, res) => {
    const header = req.get('stripe-signature') ?? '';
    const t = /t=(\d+)/.exec(header)?.[1];
    const expected = createHmac('sha256', STRIPE_SECRET)
      .update(`${t}.${JSON.stringify(req.body)}`)
      .digest('hex');
    if (/v1=([0-9a-f]+)/.exec(header)?.[1] !== expected)
      return void res.status(400).json({ error: 'bad signature' });
    res.json({ received: true });
  });
  app.post(
    '/login',
    rateLimit({ windowMs: 60_000, limit: 5, validate: { trustProxy: false } }),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  app.get('/orders', (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const header = token ? jws.decode(token)?.header : undefined;
    if (!token || !header || !jws.verify(token, header.alg, idp.publicPem))
      return void res.status(401).json({ error: 'unauthorized' });
    res.json({ orders: [{ id: 'o-1', total: 42 }] });
  });
  return app;
}
