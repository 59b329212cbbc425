import type { AppSpec } from '@bulwark/conformance';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import {
  cors,
  oidcRoutes,
  rateLimit,
  requireJwt,
  requireMtls,
  type SecurityHeadersVariables,
  securityHeaders,
  verifyWebhook,
} from '../src/index.js';

/**
 * The conformance app (see AppSpec) built with @bulwark/hono. Runtime-neutral: node serves it with
 * @hono/node-server (harness.ts), Bun, Deno and workerd serve `app.fetch` (packages/runtimes).
 */
export function honoApp(spec: AppSpec): Hono<{ Variables: SecurityHeadersVariables }> {
  const app = new Hono<{ Variables: SecurityHeadersVariables }>();
  // Hono's default error handler, without its console.error for the scenarios' deliberate throws: a
  // denial (an HTTPException) is answered with its response, anything else with a 500.
  app.onError((error, c) =>
    error instanceof HTTPException ? error.getResponse() : c.text('Internal Server Error', 500),
  );
  // Security headers first, then CORS: every later response (404s, denials, errors) carries them.
  if (spec.headers) app.use(securityHeaders(spec.headers));
  if (spec.cors) app.use(cors(spec.cors));
  app.get('/health', (c) => c.json({ ok: true }));
  if (spec.headers || spec.cors) {
    app.get('/nonce', (c) => c.json({ nonce: c.var.cspNonce ?? null }));
    app.get('/boom', () => {
      throw new Error('handler failed');
    });
    app.get('/api/data', (c) => c.json({ data: 'secret' }));
    app.put('/api/data', (c) => c.json({ updated: true }));
    app.options('/api/data', (c) => c.json({ handler: 'options' }));
    app.get('/vary', (c) => {
      c.header('Vary', 'Accept-Encoding');
      return c.json({ vary: true });
    });
    // Hono reads JSON without a limit of its own; its bodyLimit middleware is the framework's cap.
    app.post('/echo', bodyLimit({ maxSize: 1024 * 1024 }), async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: 'malformed JSON' }, 400);
      }
      return c.json({ echo: body });
    });
  }
  for (const [name, html] of Object.entries(spec.pages ?? {})) {
    app.get(`/pages/${name}`, (c) => c.html(html as string));
  }
  if (spec.webhooks) {
    for (const name of ['standard', 'stripe', 'github'] as const) {
      app.post(`/hooks/${name}`, verifyWebhook(spec.webhooks[name]), (c) => {
        if ((c.var.webhook.json() as { fail?: boolean }).fail === true) throw new Error('handler failed');
        return c.json({ handled: true, id: c.var.webhook.id });
      });
    }
  }
  if (spec.jwt) {
    app.get('/me', requireJwt(spec.jwt), (c) => c.json({ claims: c.var.claims }));
    app.get('/orders', requireJwt(spec.jwt, { scopes: ['orders:read'] }), (c) =>
      c.json({ claims: c.var.claims }),
    );
    app.get('/admin', requireJwt(spec.jwt, { scopes: ['admin'] }), (c) => c.json({ claims: c.var.claims }));
    app.get('/maybe', requireJwt(spec.jwt, { optional: true }), (c) =>
      c.json({ claims: c.var.claims ?? null }),
    );
  }
  if (spec.dpop) {
    const v = spec.dpop;
    const required = requireJwt(v, { dpop: 'required' });
    app.get('/dpop/required', required, (c) =>
      c.json({ sub: c.var.claims.sub, jkt: c.var.dpop?.jkt ?? null }),
    );
    app.post('/dpop/required', required, (c) =>
      c.json({ sub: c.var.claims.sub, jkt: c.var.dpop?.jkt ?? null }),
    );
    app.get('/dpop/allowed', requireJwt(v, { dpop: 'allowed' }), (c) =>
      c.json({ sub: c.var.claims.sub, jkt: c.var.dpop?.jkt ?? null }),
    );
    app.get('/dpop/off', requireJwt(v, { dpop: 'off' }), (c) =>
      c.json({ sub: c.var.claims.sub, jkt: c.var.dpop?.jkt ?? null }),
    );
    // A path-wide middleware and the route's own: both hold.
    app.use('/dpop/stacked', requireJwt(v, { dpop: 'required' }));
    app.get('/dpop/stacked', requireJwt(v, { dpop: 'allowed', scopes: ['orders:read'] }), (c) =>
      c.json({ sub: c.var.claims.sub, jkt: c.var.dpop?.jkt ?? null }),
    );
  }
  if (spec.rateLimit) {
    const rl = spec.rateLimit;
    app.get('/rl/direct', rateLimit(rl.direct), (c) => c.json({ ok: true }));
    app.get('/rl/proxied', rateLimit(rl.proxied), (c) => c.json({ ok: true }));
    if (spec.jwt)
      app.get('/rl/token', requireJwt(spec.jwt), rateLimit(rl.token), (c) => c.json({ ok: true }));
  }
  if (spec.oauth) {
    const oidc = oidcRoutes({
      login: spec.oauth.login,
      postLogoutRedirectUri: spec.oauth.postLogoutRedirectUri,
      onLogin: (result, c) => c.json({ sub: result.claims.sub, returnTo: result.returnTo }),
    });
    app.get('/oauth/login', oidc.login);
    app.get('/oauth/callback', oidc.callback);
    app.post('/oauth/logout', oidc.logout);
  }
  if (spec.mtls) {
    for (const [path, policy] of [
      ['/mtls/billing', spec.mtls.billing],
      ['/mtls/proxied', spec.mtls.proxied],
    ] as const) {
      app.get(path, requireMtls(policy), (c) =>
        c.json({
          peer: c.var.mtls.spiffeId?.id,
          via: c.var.mtls.via,
          xfcc: c.req.header('x-forwarded-client-cert') ?? null,
        }),
      );
    }
    if (spec.jwt) {
      app.get('/mtls/bound', requireJwt(spec.jwt, { certificateBound: { required: true } }), (c) =>
        c.json({ sub: c.var.claims.sub }),
      );
    }
  }
  return app;
}
