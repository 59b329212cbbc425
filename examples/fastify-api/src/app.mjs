import Fastify from 'fastify';
import { bulwark, createClientIpResolver, createJwtVerifier, rateLimit, requireJwt } from '@bulwark/fastify';
import { createOrders } from '@bulwark-examples/shared/orders';
import { rawWebhookBody, verifyWebhook } from '@bulwark/fastify';
import { createPaymentLedger } from '@bulwark-examples/shared/payments';

/** The orders API on fastify; same routes and rules as the express example. */
export async function createApp(config) {
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

  const app = Fastify({ bodyLimit: 65_536 });
  // Security headers on every response (404s and denials included); CORS answered before routing.
  await app.register(bulwark, {
    securityHeaders: true,
    cors: { origins: config.corsOrigins, credentials: true },
  });
  app.get('/health', async () => ({ ok: true }));
  if (config.webhookSecret) {
    // An encapsulated scope whose only body parser keeps raw bytes; the app's JSON parser is untouched.
    const payments = createPaymentLedger();
    await app.register(async (scope) => {
      await scope.register(rawWebhookBody, { maxBodyBytes: 65_536 });
      const verify = verifyWebhook({
        scheme: 'standard',
        secrets: [config.webhookSecret],
        maxBodyBytes: 65_536,
        replayStore: config.stores.replay,
      });
      scope.post('/webhooks/payments', { preHandler: verify }, async (request) =>
        payments.record(request.webhook.id, request.webhook.json()),
      );
    });
  }
  app.post('/password-reset', { onRequest: resetLimit }, async (_request, reply) =>
    reply.code(202).send({ ok: true }),
  );
  app.get('/orders', { onRequest: perIp, preHandler: [canRead, perUser] }, async (request) => ({
    orders: orders.list(request.auth.sub),
  }));
  // Only DPoP-bound tokens, each request with a fresh proof of the client's key (RFC 9449).
  app.get('/orders/dpop', { onRequest: perIp, preHandler: [dpopRead, perUser] }, async (request) => ({
    orders: orders.list(request.auth.sub),
    boundTo: request.dpop.jkt,
  }));
  // Logout revokes the presented access token: refused from the next request on, until it expires.
  app.post('/logout', { preHandler: auth }, async (request, reply) => {
    await jwt.revoke(request.auth);
    return reply.code(204).send();
  });
  app.post('/orders', { onRequest: perIp, preHandler: [canWrite, perUser] }, async (request, reply) =>
    reply.code(201).send(orders.add(request.auth.sub, request.body)),
  );
  return app;
}
