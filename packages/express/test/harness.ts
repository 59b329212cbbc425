import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdapterHarness, AppSpec, RunningApp } from '@bulwark/conformance';
import express from 'express';
import { oidcRoutes, rateLimit, requireJwt } from '../src/index.js';
import { verifyWebhook } from '../src/index.js';
import { cors, securityHeaders } from '../src/index.js';
import { createServer as createHttpsServer } from 'node:https';
import { requireMtls } from '../src/index.js';

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Builds the conformance app (see AppSpec) with @bulwark/express. */
export const expressHarness: AdapterHarness = {
  name: 'express',
  async start(spec: AppSpec): Promise<RunningApp> {
    const app = express();
    // Security headers first, then CORS: every later response (404s, denials, errors) carries them.
    if (spec.headers) app.use(securityHeaders(spec.headers));
    if (spec.cors) app.use(cors(spec.cors));
    // Webhook routes go before the global JSON parser: their raw parser must see the untouched stream.
    if (spec.webhooks) {
      for (const name of ['standard', 'stripe', 'github'] as const) {
        app.post(`/hooks/${name}`, verifyWebhook(spec.webhooks[name]), (req, res) => {
          if ((req.webhook!.json() as { fail?: boolean }).fail === true) throw new Error('handler failed');
          res.json({ handled: true, id: req.webhook!.id });
        });
      }
    }
    app.use(express.json());
    app.get('/health', (_req, res) => {
      res.json({ ok: true });
    });
    if (spec.headers || spec.cors) {
      app.get('/nonce', (_req, res) => {
        res.json({ nonce: res.locals.cspNonce ?? null });
      });
      app.get('/boom', () => {
        throw new Error('handler failed');
      });
      app.get('/api/data', (_req, res) => {
        res.json({ data: 'secret' });
      });
      app.put('/api/data', (_req, res) => {
        res.json({ updated: true });
      });
      app.options('/api/data', (_req, res) => {
        res.json({ handler: 'options' });
      });
      app.get('/vary', (_req, res) => {
        res.set('Vary', 'Accept-Encoding');
        res.json({ vary: true });
      });
      app.post('/echo', (req, res) => {
        res.json({ echo: req.body });
      });
    }
    if (spec.pages) {
      const pages = spec.pages;
      app.get('/pages/:name', (req, res) => {
        const html = pages[String(req.params.name)];
        if (html === undefined) res.status(404).end();
        else res.type('html').send(html);
      });
    }
    if (spec.jwt) {
      app.get('/me', requireJwt(spec.jwt), (req, res) => {
        res.json({ claims: req.auth });
      });
      app.get('/orders', requireJwt(spec.jwt, { scopes: ['orders:read'] }), (req, res) => {
        res.json({ claims: req.auth });
      });
      app.get('/admin', requireJwt(spec.jwt, { scopes: ['admin'] }), (req, res) => {
        res.json({ claims: req.auth });
      });
      app.get('/maybe', requireJwt(spec.jwt, { optional: true }), (req, res) => {
        res.json({ claims: req.auth ?? null });
      });
    }
    if (spec.dpop) {
      const v = spec.dpop;
      const answer = (req: express.Request, res: express.Response) => {
        res.json({ sub: req.auth?.sub, jkt: req.dpop?.jkt ?? null });
      };
      app.get('/dpop/required', requireJwt(v, { dpop: 'required' }), answer);
      app.post('/dpop/required', requireJwt(v, { dpop: 'required' }), answer);
      app.get('/dpop/allowed', requireJwt(v, { dpop: 'allowed' }), answer);
      app.get('/dpop/off', requireJwt(v, { dpop: 'off' }), answer);
      const stacked = express.Router();
      stacked.use(requireJwt(v, { dpop: 'required' }));
      stacked.get('/stacked', requireJwt(v, { dpop: 'allowed', scopes: ['orders:read'] }), answer);
      app.use('/dpop', stacked);
    }
    if (spec.rateLimit) {
      const ok = (_req: express.Request, res: express.Response) => {
        res.json({ ok: true });
      };
      app.get('/rl/direct', rateLimit(spec.rateLimit.direct), ok);
      app.get('/rl/proxied', rateLimit(spec.rateLimit.proxied), ok);
      if (spec.jwt) app.get('/rl/token', requireJwt(spec.jwt), rateLimit(spec.rateLimit.token), ok);
    }
    if (spec.oauth) {
      const oidc = oidcRoutes({
        login: spec.oauth.login,
        postLogoutRedirectUri: spec.oauth.postLogoutRedirectUri,
        onLogin: (result, _req, res) => {
          res.json({ sub: result.claims.sub, returnTo: result.returnTo });
        },
      });
      app.get('/oauth/login', oidc.login);
      app.get('/oauth/callback', oidc.callback);
      app.post('/oauth/logout', oidc.logout);
    }
    if (spec.mtls) {
      const mtlsRoute = (req: express.Request, res: express.Response) => {
        res.json({
          peer: req.mtls?.spiffeId?.id,
          via: req.mtls?.via,
          xfcc: req.headers['x-forwarded-client-cert'] ?? null,
        });
      };
      app.get('/mtls/billing', requireMtls(spec.mtls.billing), mtlsRoute);
      app.get('/mtls/proxied', requireMtls(spec.mtls.proxied), mtlsRoute);
      if (spec.jwt) {
        app.get(
          '/mtls/bound',
          // The requireJwt route option; fastify's harness uses the separate hook form.
          requireJwt(spec.jwt, { certificateBound: { required: true } }),
          (req, res) => {
            res.json({ sub: req.auth?.sub });
          },
        );
      }
    }
    const server = (
      spec.mtls ? createHttpsServer(spec.mtls.tls, app).listen(0, '127.0.0.1') : app.listen(0, '127.0.0.1')
    ) as Server;
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    spec.mtls?.onServer?.(server as never);
    return {
      url: `${spec.mtls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => closeServer(server),
    };
  },
};
