// bulwark's stack on express, as a user would write it: headers, CORS, per-IP rate limit, then RS256 JWT.
import * as bulwark from '@bulwark/express';
import { jwtOptions, part } from './bulwark-common.mjs';

/** Apply headers, CORS, rate limit and (unless variant is 'bulwark-nojwt') RS256 JWT to `app`. */
export async function bulwarkStack(app, variant, c) {
  if (part('headers', typeof bulwark.securityHeaders === 'function')) app.use(bulwark.securityHeaders());
  if (part('cors', typeof bulwark.cors === 'function')) app.use(bulwark.cors({ origins: [c.origin] }));
  if (part('ratelimit', typeof bulwark.rateLimit === 'function')) {
    app.use(bulwark.rateLimit({ rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } }));
  }
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.requireJwt === 'function')) {
    app.use(bulwark.requireJwt(jwtOptions(c, variant)));
  }
}
