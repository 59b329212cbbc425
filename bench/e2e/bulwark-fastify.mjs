// bulwark's stack on fastify, as a user would write it.
import * as bulwark from '@bulwark/fastify';
import { jwtOptions, part } from './bulwark-common.mjs';

/** Register the plugin and app-wide rules; returns the route options (JWT as a preHandler). */
export async function bulwarkStack(app, variant, c) {
  const pluginOptions = {};
  if (part('headers', 'securityHeaders' in bulwark)) pluginOptions.headers = {};
  if (part('cors', 'cors' in bulwark)) pluginOptions.cors = { origins: [c.origin] };
  if (part('ratelimit', 'rateLimit' in bulwark))
    pluginOptions.rateLimit = { limit: c.limit, windowMs: 60_000 };
  await app.register(bulwark.bulwark, pluginOptions);
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.requireJwt === 'function')) {
    return { preHandler: bulwark.requireJwt(jwtOptions(c, variant)) };
  }
  return {};
}
