// bulwark's stack on fastify, as a user would write it: the plugin, headers and CORS as app-wide onRequest
// hooks, then per-IP rate limit and RS256 JWT as route preHandlers.
import * as bulwark from '@bulwark/fastify';
import { jwtOptions, part } from './bulwark-common.mjs';

/** Register the plugin and app-wide rules; returns the route options (rate limit and JWT preHandlers). */
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
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.requireJwt === 'function')) {
    preHandler.push(bulwark.requireJwt(jwtOptions(c, variant)));
  }
  return preHandler.length ? { preHandler } : {};
}
