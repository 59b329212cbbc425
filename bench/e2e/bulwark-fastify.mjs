// bulwark's stack on fastify, as a user would write it: the plugin, headers and CORS as app-wide onRequest
// hooks, then per-IP rate limit and RS256 JWT as route preHandlers; the signed-webhook route in its own
// raw-body scope behind the same limiter.
import * as bulwark from '@bulwark/fastify';
import { jwtOptions, part, WEBHOOK_PATH, webhookOptions } from './bulwark-common.mjs';

/** Register the plugin, app-wide rules and the webhook route; returns the route options (rate limit and JWT preHandlers). */
export async function bulwarkStack(app, variant, c) {
  // Headers off in the plugin: the stack adds them as its own onRequest hook (one part of the ablation).
  await app.register(bulwark.bulwark, { securityHeaders: false });
  if (part('headers', typeof bulwark.securityHeaders === 'function')) {
    app.addHook('onRequest', bulwark.securityHeaders());
  }
  if (part('cors', typeof bulwark.cors === 'function'))
    app.addHook('onRequest', bulwark.cors({ origins: [c.origin] }));
  const preHandler = [];
  if (part('ratelimit', typeof bulwark.rateLimit === 'function')) {
    preHandler.push(bulwark.rateLimit({ rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } }));
  }
  // Not one of the parts of the /json stack (the row notes list those): its own route, for the webhook deny case.
  const webhookPreHandler = [...preHandler, bulwark.verifyWebhook(webhookOptions(c))];
  await app.register(async (scope) => {
    await scope.register(bulwark.rawWebhookBody);
    scope.post(WEBHOOK_PATH, { preHandler: webhookPreHandler }, async (_request, reply) =>
      reply.code(204).send(),
    );
  });
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.requireJwt === 'function')) {
    preHandler.push(bulwark.requireJwt(jwtOptions(c, variant)));
  }
  return preHandler.length ? { preHandler } : {};
}
