import {
  cors,
  createClientIpResolver,
  createJwtVerifier,
  rateLimit,
  requireJwt,
  securityHeaders,
  verifyWebhook,
} from '@bulwark/hono';
import { createOrders } from '@bulwark-examples/shared/orders';
import { createPaymentLedger } from '@bulwark-examples/shared/payments';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/** The orders API as one Hono app, runnable on Node, Workers, Deno or Bun. */
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

  // Per client IP for everyone and per verified user, together; a strict limit on password resets.
  // One resolver for every limiter: one trust list, one misconfiguration warning. On a platform whose edge
  // writes the client address (Cloudflare Workers: cf-connecting-ip) the platform is named instead.
  const clientIp = createClientIpResolver(
    config.platform ? { platform: config.platform } : { trustedProxies: config.trustedProxies },
  );
  // Per client IP in front of authentication, so a flood of forged tokens is counted too; per verified
  // user behind it. Each limiter only charges its own bucket.
  const perIp = rateLimit({ name: 'ip', clientIp, store: config.stores.rateLimit, rate: '600/min' });
  const perUser = rateLimit({
    name: 'user',
    clientIp,
    store: config.stores.rateLimit,
    buckets: [{ name: 'user', key: 'subject', rate: '1000/min' }],
  });

  const app = new Hono();
  // First: security headers on every response (404s, denials, a thrown handler's 500), CORS inside them.
  app.use(securityHeaders());
  app.use(cors({ origins: config.corsOrigins, credentials: true }));
  // Hono reads bodies without a limit of its own.
  app.use(bodyLimit({ maxSize: 65_536 }));

  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/orders', perIp, requireJwt(jwt, { scopes: ['orders:read'] }), perUser, (c) =>
    c.json({ orders: orders.list(c.var.claims.sub) }),
  );
  app.post('/orders', perIp, requireJwt(jwt, { scopes: ['orders:write'] }), perUser, async (c) =>
    c.json(orders.add(c.var.claims.sub, await c.req.json().catch(() => ({}))), 201),
  );
  // Only DPoP-bound tokens, each request with a fresh proof of the client's key (RFC 9449).
  app.get(
    '/orders/dpop',
    perIp,
    requireJwt(jwt, { dpop: 'required', scopes: ['orders:read'] }),
    perUser,
    (c) => c.json({ orders: orders.list(c.var.claims.sub), boundTo: c.var.dpop.jkt }),
  );
  // Logout revokes the presented access token: refused from the next request on, until it expires.
  app.post('/logout', requireJwt(jwt), async (c) => {
    await jwt.revoke(c.var.claims);
    return c.body(null, 204);
  });
  app.post(
    '/password-reset',
    rateLimit({
      name: 'reset',
      rate: '5/15min',
      clientIp,
      failMode: 'closed',
      store: config.stores.rateLimit,
    }),
    (c) => c.json({ ok: true }, 202),
  );

  // verifyWebhook reads the raw body itself (size-limited) and hands the delivery to the handler.
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
      (c) => c.json(payments.record(c.var.webhook.id, c.var.webhook.json())),
    );
  }
  app.notFound((c) => c.json({ title: 'Not Found', status: 404 }, 404));
  return app;
}
