// bulwark's stack on fastify, as a user would write it (the plugin's documented app-wide form): security
// headers, CORS and the per-IP rate limit as plugin options (one onRequest hook), then RS256 JWT as a route
// preHandler; the signed-webhook route in its own raw-body scope, behind the same app-wide limiter.
import * as bulwark from '@bulwark/fastify';
import { jwtOptions, part, WEBHOOK_PATH, webhookOptions } from './bulwark-common.mjs';

/** Register the plugin (headers, CORS, rate limit) and the webhook route; returns the route options (the JWT preHandler). */
export async function bulwarkStack(app, variant, c) {
  await app.register(bulwark.bulwark, {
    securityHeaders: part('headers', typeof bulwark.securityHeaders === 'function'),
    ...(part('cors', typeof bulwark.cors === 'function') ? { cors: { origins: [c.origin] } } : {}),
    ...(part('ratelimit', typeof bulwark.rateLimit === 'function')
      ? { rateLimit: { rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } } }
      : {}),
  });
  // Not one of the parts of the /json stack (the row notes list those): its own route, for the webhook deny case.
  await app.register(async (scope) => {
    await scope.register(bulwark.rawWebhookBody);
    scope.post(
      WEBHOOK_PATH,
      { preHandler: [bulwark.verifyWebhook(webhookOptions(c))] },
      async (_request, reply) => reply.code(204).send(),
    );
  });
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.requireJwt === 'function')) {
    return { preHandler: [bulwark.requireJwt(jwtOptions(c, variant))] };
  }
  return {};
}
