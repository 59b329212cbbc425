// bulwark's stack on express, as a user would write it: headers, CORS, per-IP rate limit, the signed-webhook
// route (before the JWT middleware: a sender carries no bearer token), then RS256 JWT for the API routes.
import * as installed from '@bulwark/express';
import { jwtOptions, part, WEBHOOK_PATH, webhookOptions } from './bulwark-common.mjs';

/**
 * Apply headers, CORS, rate limit, the webhook route and (unless variant is 'bulwark-nojwt') RS256 JWT to `app`.
 * c.expressModule: another build of @bulwark/express (the in-process tool's `case@dir` A/B).
 */
export async function bulwarkStack(app, variant, c) {
  const bulwark = c.expressModule === undefined ? installed : await import(c.expressModule);
  if (part('headers', typeof bulwark.securityHeaders === 'function')) app.use(bulwark.securityHeaders());
  if (part('cors', typeof bulwark.cors === 'function')) app.use(bulwark.cors({ origins: [c.origin] }));
  if (part('ratelimit', typeof bulwark.rateLimit === 'function')) {
    app.use(bulwark.rateLimit({ rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } }));
  }
  // Not one of the parts of the /json stack (the row notes list those): its own route, for the webhook deny case.
  app.post(WEBHOOK_PATH, bulwark.verifyWebhook(webhookOptions(c)), (_req, res) => {
    res.sendStatus(204);
  });
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.requireJwt === 'function')) {
    app.use(bulwark.requireJwt(jwtOptions(c, variant)));
  }
}
