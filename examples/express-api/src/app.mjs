import express from 'express';
import { createClientIpResolver, createJwtVerifier, rateLimit, requireJwt } from '@bulwark/express';
import { createOrders } from '@bulwark-examples/shared/orders';
import { verifyWebhook } from '@bulwark/express';
import { cors, securityHeaders } from '@bulwark/express';
import { createPaymentLedger } from '@bulwark-examples/shared/payments';

/**
 * The orders API. `config` comes from the environment (see server.mjs), so the same app runs in the demo,
 * in development and in production.
 */
export function createApp(config) {
  const orders = createOrders();
  const jwt = createJwtVerifier({
    algorithms: ['RS256', 'ES256'],
    issuer: config.issuer,
    audience: config.audience,
    jwksUri: config.jwksUri,
    // Access tokens only (RFC 9068): an ID token from the same IdP is refused. Revocation makes logout real.
    typ: 'at+jwt',
    revocation: config.stores.revocation,
    // DPoP (RFC 9449) where a route asks for it: one proof, one use, in the same replay store as webhooks.
    dpop: { externalUrl: config.publicUrl, replay: config.stores.replay },
  });
  const auth = requireJwt(jwt);
  const canRead = requireJwt(jwt, { scopes: ['orders:read'] });
  const canWrite = requireJwt(jwt, { scopes: ['orders:write'] });
  const dpopRead = requireJwt(jwt, { dpop: 'required', scopes: ['orders:read'] });

  // Per client IP for everyone and per verified user, together; a strict limit on password resets.
  // One resolver for every limiter: one trust list, one misconfiguration warning.
  const clientIp = createClientIpResolver({ trustedProxies: config.trustedProxies });
  // Per client IP in front of authentication, so a flood of forged tokens is counted too; per verified
  // user behind it. Each limiter only charges its own bucket.
  const perIp = rateLimit({ name: 'ip', clientIp, store: config.stores.rateLimit, rate: '600/min' });
  const perUser = rateLimit({
    name: 'user',
    clientIp,
    store: config.stores.rateLimit,
    buckets: [{ name: 'user', key: 'subject', rate: '1000/min' }],
  });
  const resetLimit = rateLimit({
    name: 'reset',
    rate: '5/15min',
    clientIp,
    failMode: 'closed',
    store: config.stores.rateLimit,
  });

  const app = express();
  app.disable('x-powered-by');
  // First: every response, 404s and denials included, carries the headers; preflights never reach routes.
  app.use(securityHeaders());
  app.use(cors({ origins: config.corsOrigins, credentials: true }));
  // The webhook route reads its own raw body, so it goes before the global JSON parser.
  if (config.webhookSecret) {
    const payments = createPaymentLedger();
    app.post(
      '/webhooks/payments',
      verifyWebhook({
        scheme: 'standard',
        secrets: [config.webhookSecret],
        maxBodyBytes: 65_536,
        replayStore: config.stores.replay,
      }),
      (req, res) => {
        res.json(payments.record(req.webhook.id, req.webhook.json()));
      },
    );
  }
  app.use(express.json({ limit: '64kb' }));
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/password-reset', resetLimit, (_req, res) => {
    res.status(202).json({ ok: true });
  });
  app.get('/orders', perIp, canRead, perUser, (req, res) => {
    res.json({ orders: orders.list(req.auth.sub) });
  });
  // Only DPoP-bound tokens, each request with a fresh proof of the client's key (RFC 9449).
  app.get('/orders/dpop', perIp, dpopRead, perUser, (req, res) => {
    res.json({ orders: orders.list(req.auth.sub), boundTo: req.dpop.jkt });
  });
  // Logout revokes the presented access token: refused from the next request on, until it expires.
  app.post('/logout', auth, async (req, res) => {
    await jwt.revoke(req.auth);
    res.status(204).end();
  });
  app.post('/orders', perIp, canWrite, perUser, (req, res) => {
    res.status(201).json(orders.add(req.auth.sub, req.body));
  });
  return app;
}
