import {
  createClientIpResolver,
  createJwtVerifier,
  cors,
  createRateLimiter,
  protect,
  securityHeaders,
} from '@bulwark/fetch';
import { createOrders } from '@bulwark-examples/shared/orders';
import { createPaymentLedger } from '@bulwark-examples/shared/payments';

/** The orders API as one fetch handler: `(Request) => Response`, runnable on Node, Workers, Deno or Bun. */
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
  const rateLimit = createRateLimiter({
    name: 'api',
    clientIp,
    store: config.stores.rateLimit,
    buckets: [
      { name: 'ip', rate: '600/min' },
      { name: 'user', key: 'subject', rate: '1000/min' },
    ],
  });
  const passwordReset = protect(async () => Response.json({ ok: true }, { status: 202 }), {
    rateLimit: {
      name: 'reset',
      rate: '5/15min',
      clientIp,
      failMode: 'closed',
      store: config.stores.rateLimit,
    },
  });

  const listOrders = protect(
    async (_request, { claims }) => Response.json({ orders: orders.list(claims.sub) }),
    { jwt: { verifier: jwt, scopes: ['orders:read'] }, rateLimit },
  );
  // Only DPoP-bound tokens, each request with a fresh proof of the client's key (RFC 9449).
  const listOrdersDpop = protect(
    async (_request, { claims, dpop }) =>
      Response.json({ orders: orders.list(claims.sub), boundTo: dpop.jkt }),
    { jwt: { verifier: jwt, dpop: 'required', scopes: ['orders:read'] }, rateLimit },
  );
  // Logout revokes the presented access token: refused from the next request on, until it expires.
  const logout = protect(
    async (_request, { claims }) => {
      await jwt.revoke(claims);
      return new Response(null, { status: 204 });
    },
    { jwt },
  );
  const addOrder = protect(
    async (request, { claims }) =>
      Response.json(orders.add(claims.sub, await request.json().catch(() => ({}))), { status: 201 }),
    { jwt: { verifier: jwt, scopes: ['orders:write'] }, rateLimit },
  );

  // The webhook stage reads the raw body itself (size-limited) and hands the delivery to the handler.
  const payments = createPaymentLedger();
  const paymentsWebhook = config.webhookSecret
    ? protect(async (_request, { webhook }) => Response.json(payments.record(webhook.id, webhook.json())), {
        webhook: {
          scheme: 'standard',
          secrets: [config.webhookSecret],
          maxBodyBytes: 65_536,
          replayStore: config.stores.replay,
        },
      })
    : undefined;

  const routes = {
    'GET /health': async () => Response.json({ ok: true }),
    'GET /orders': listOrders,
    'GET /orders/dpop': listOrdersDpop,
    'POST /orders': addOrder,
    'POST /logout': logout,
    'POST /password-reset': passwordReset,
    ...(paymentsWebhook ? { 'POST /webhooks/payments': paymentsWebhook } : {}),
  };
  const router = async (request, info) => {
    const route = routes[`${request.method} ${new URL(request.url).pathname}`];
    return route ? route(request, info) : Response.json({ title: 'Not Found', status: 404 }, { status: 404 });
  };
  // Outermost: security headers on every response (404s, denials, a thrown handler), CORS inside them.
  return securityHeaders(cors(router, { origins: config.corsOrigins, credentials: true }));
}
