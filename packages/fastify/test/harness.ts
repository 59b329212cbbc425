import type { AdapterHarness, AppSpec, RunningApp } from '@bulwark/conformance';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { rawWebhookBody, verifyWebhook } from '../src/index.js';
import { requireMtls } from '../src/index.js';
import { bulwark, oidcRoutes, rateLimit, requireJwt } from '../src/index.js';

/** Builds the conformance app (see AppSpec) with @bulwark/fastify. */
export const fastifyHarness: AdapterHarness = {
  name: 'fastify',
  async start(spec: AppSpec): Promise<RunningApp> {
    // With mTLS the same app is served over HTTPS requiring client certificates.
    const app = spec.mtls ? (Fastify({ https: spec.mtls.tls }) as unknown as FastifyInstance) : Fastify();
    await app.register(bulwark, {
      securityHeaders: spec.headers ?? false,
      ...(spec.cors ? { cors: spec.cors } : {}),
    });
    app.get('/health', async () => ({ ok: true }));
    if (spec.headers || spec.cors) {
      app.get('/nonce', async (_request, reply) => ({ nonce: reply.cspNonce ?? null }));
      app.get('/boom', async () => {
        throw new Error('handler failed');
      });
      app.get('/api/data', async () => ({ data: 'secret' }));
      app.put('/api/data', async () => ({ updated: true }));
      app.options('/api/data', async () => ({ handler: 'options' }));
      app.get('/vary', async (_request, reply) => {
        reply.header('Vary', 'Accept-Encoding');
        return { vary: true };
      });
      app.post('/echo', async (request) => ({ echo: request.body }));
    }
    if (spec.pages) {
      const pages = spec.pages;
      app.get('/pages/:name', async (request, reply) => {
        const html = pages[(request.params as { name: string }).name];
        if (html === undefined) return reply.code(404).send();
        return reply.type('text/html; charset=utf-8').send(html);
      });
    }
    if (spec.webhooks) {
      const hooks = spec.webhooks;
      // An encapsulated scope with a raw-bytes parser; the app's own JSON parser stays in place elsewhere.
      await app.register(async (scope) => {
        await scope.register(rawWebhookBody, { maxBodyBytes: hooks.standard.maxBodyBytes ?? 1_048_576 });
        for (const name of ['standard', 'stripe', 'github'] as const) {
          scope.post(`/hooks/${name}`, { preHandler: verifyWebhook(hooks[name]) }, async (request) => {
            if ((request.webhook!.json() as { fail?: boolean }).fail === true)
              throw new Error('handler failed');
            return { handled: true, id: request.webhook!.id };
          });
        }
      });
    }
    if (spec.jwt) {
      app.get('/me', { preHandler: requireJwt(spec.jwt) }, async (request) => ({ claims: request.auth }));
      app.get('/maybe', { preHandler: requireJwt(spec.jwt, { optional: true }) }, async (request) => ({
        claims: request.auth ?? null,
      }));
      for (const [path, scope] of [
        ['/orders', 'orders:read'],
        ['/admin', 'admin'],
      ] as const) {
        app.get(path, { preHandler: requireJwt(spec.jwt, { scopes: [scope] }) }, async (request) => ({
          claims: request.auth,
        }));
      }
    }
    if (spec.dpop) {
      const v = spec.dpop;
      const answer = async (request: FastifyRequest) => ({
        sub: request.auth?.sub,
        jkt: request.dpop?.jkt ?? null,
      });
      app.get('/dpop/required', { preHandler: requireJwt(v, { dpop: 'required' }) }, answer);
      app.post('/dpop/required', { preHandler: requireJwt(v, { dpop: 'required' }) }, answer);
      app.get('/dpop/allowed', { preHandler: requireJwt(v, { dpop: 'allowed' }) }, answer);
      app.get('/dpop/off', { preHandler: requireJwt(v, { dpop: 'off' }) }, answer);
      // A scope-wide hook and the route's own: both hold.
      await app.register(async (scope) => {
        scope.addHook('preHandler', requireJwt(v, { dpop: 'required' }));
        const route = requireJwt(v, { dpop: 'allowed', scopes: ['orders:read'] });
        scope.get('/dpop/stacked', { preHandler: route }, answer);
      });
    }
    if (spec.rateLimit) {
      const rl = spec.rateLimit;
      app.get('/rl/direct', { onRequest: rateLimit(rl.direct) }, async () => ({ ok: true }));
      app.get('/rl/proxied', { onRequest: rateLimit(rl.proxied) }, async () => ({ ok: true }));
      if (spec.jwt) {
        app.get('/rl/token', { preHandler: [requireJwt(spec.jwt), rateLimit(rl.token)] }, async () => ({
          ok: true,
        }));
      }
    }
    if (spec.oauth) {
      const oidc = oidcRoutes({
        login: spec.oauth.login,
        postLogoutRedirectUri: spec.oauth.postLogoutRedirectUri,
        onLogin: (result) => ({ sub: result.claims.sub, returnTo: result.returnTo }),
      });
      app.get('/oauth/login', oidc.login);
      app.get('/oauth/callback', oidc.callback);
      app.post('/oauth/logout', oidc.logout);
    }
    if (spec.mtls) {
      const mtlsRoute = async (request: FastifyRequest) => ({
        peer: request.mtls?.spiffeId?.id,
        via: request.mtls?.via,
        xfcc: request.headers['x-forwarded-client-cert'] ?? null,
      });
      app.get('/mtls/billing', { onRequest: requireMtls(spec.mtls.billing) }, mtlsRoute);
      app.get('/mtls/proxied', { onRequest: requireMtls(spec.mtls.proxied) }, mtlsRoute);
      if (spec.jwt) {
        const bound = requireJwt(spec.jwt, { certificateBound: { required: true } });
        app.get('/mtls/bound', { preHandler: bound }, async (request) => ({ sub: request.auth?.sub }));
      }
    }
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    spec.mtls?.onServer?.(app.server as never);
    return { url, close: () => app.close() };
  },
};
