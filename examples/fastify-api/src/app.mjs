import Fastify from 'fastify';
import { bulwark, requireJwt } from '@bulwark/fastify';
import { createOrders } from '@bulwark-examples/shared/orders';

/** The orders API on fastify; same routes and rules as the express example. */
export async function createApp(config) {
  const orders = createOrders();
  const auth = requireJwt({
    algorithms: ['RS256', 'ES256'],
    issuer: config.issuer,
    audience: config.audience,
    jwksUri: config.jwksUri,
  });

  const app = Fastify({ bodyLimit: 65_536 });
  await app.register(bulwark, {});
  app.get('/health', async () => ({ ok: true }));
  app.get('/orders', { preHandler: auth }, async (request) => ({ orders: orders.list(request.auth.sub) }));
  app.post('/orders', { preHandler: auth }, async (request, reply) =>
    reply.code(201).send(orders.add(request.auth.sub, request.body)),
  );
  return app;
}
