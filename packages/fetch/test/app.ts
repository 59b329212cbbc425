import type { AppSpec } from '@bulwark/conformance';
import { oidcHandlers, type ProtectPolicy, protect } from '../src/index.js';
import type { ProtectedHandler, WebhookDelivery } from '../src/index.js';
import { cors, isSecurityError, type SecuredHandler, securityHeaders } from '../src/index.js';

type Route = (request: Request, info?: unknown) => Promise<Response>;

/**
 * The conformance app (see AppSpec) built with @bulwark/fetch. Runtime-neutral: node serves it through
 * `toNodeListener` (harness.ts), Bun, Deno and workerd serve it as their fetch handler (packages/runtimes).
 */
export function fetchApp(spec: AppSpec): (request: Request, runtime?: unknown) => Promise<Response> {
  const routes = new Map<string, Route>();
  const policy = (p: ProtectPolicy): ProtectPolicy => p;
  routes.set('GET /health', async () => Response.json({ ok: true }));
  if (spec.headers || spec.cors) {
    routes.set('GET /nonce', async (_request, info) =>
      Response.json({ nonce: (info as { cspNonce?: string } | undefined)?.cspNonce ?? null }),
    );
    routes.set('GET /boom', async () => {
      throw new Error('handler failed');
    });
    routes.set('GET /api/data', async () => Response.json({ data: 'secret' }));
    routes.set('PUT /api/data', async () => Response.json({ updated: true }));
    routes.set('OPTIONS /api/data', async () => Response.json({ handler: 'options' }));
    routes.set('GET /vary', async () =>
      Response.json({ vary: true }, { headers: { vary: 'Accept-Encoding' } }),
    );
    routes.set('POST /echo', async (request) => {
      let body: unknown;
      try {
        body = await request.json();
      } catch (error) {
        // The bridge's 413 is thrown out of the body read: let securityHeaders answer it.
        if (isSecurityError(error)) throw error;
        return Response.json({ error: 'malformed JSON' }, { status: 400 });
      }
      return Response.json({ echo: body });
    });
  }
  for (const [name, html] of Object.entries(spec.pages ?? {})) {
    routes.set(
      `GET /pages/${name}`,
      async () => new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } }),
    );
  }
  if (spec.webhooks) {
    for (const name of ['standard', 'stripe', 'github'] as const) {
      const handle: ProtectedHandler = async (_request, { webhook }) => {
        const delivery = webhook as WebhookDelivery;
        if ((delivery.json() as { fail?: boolean }).fail === true) throw new Error('handler failed');
        return Response.json({ handled: true, id: delivery.id });
      };
      routes.set(`POST /hooks/${name}`, protect(handle, policy({ webhook: spec.webhooks[name] })));
    }
  }
  if (spec.jwt) {
    routes.set(
      'GET /me',
      protect(async (_request, { claims }) => Response.json({ claims }), policy({ jwt: spec.jwt })),
    );
    routes.set(
      'GET /maybe',
      protect(
        async (_request, { claims }) => Response.json({ claims: claims ?? null }),
        policy({ jwt: { verifier: spec.jwt, optional: true } }),
      ),
    );
    for (const [path, scope] of [
      ['/orders', 'orders:read'],
      ['/admin', 'admin'],
    ] as const) {
      routes.set(
        `GET ${path}`,
        protect(
          async (_request, { claims }) => Response.json({ claims }),
          policy({ jwt: { verifier: spec.jwt, scopes: [scope] } }),
        ),
      );
    }
  }
  if (spec.dpop) {
    const verifier = spec.dpop;
    const answer: ProtectedHandler = async (_request, { claims, dpop }) =>
      Response.json({ sub: claims?.sub, jkt: dpop?.jkt ?? null });
    const required = protect(answer, policy({ jwt: { verifier, dpop: 'required' } }));
    routes.set('GET /dpop/required', required);
    routes.set('POST /dpop/required', required);
    routes.set('GET /dpop/allowed', protect(answer, policy({ jwt: { verifier, dpop: 'allowed' } })));
    routes.set('GET /dpop/off', protect(answer, policy({ jwt: { verifier, dpop: 'off' } })));
    // An outer protect() around the route's own: both hold.
    const route = protect(answer, policy({ jwt: { verifier, dpop: 'allowed', scopes: ['orders:read'] } }));
    routes.set('GET /dpop/stacked', protect(route, policy({ jwt: { verifier, dpop: 'required' } })));
  }
  if (spec.rateLimit) {
    const rl = spec.rateLimit;
    const ok = async () => Response.json({ ok: true });
    routes.set('GET /rl/direct', protect(ok, policy({ rateLimit: rl.direct })));
    routes.set('GET /rl/proxied', protect(ok, policy({ rateLimit: rl.proxied })));
    if (spec.jwt) routes.set('GET /rl/token', protect(ok, policy({ jwt: spec.jwt, rateLimit: rl.token })));
  }
  if (spec.oauth) {
    const oidc = oidcHandlers({
      login: spec.oauth.login,
      postLogoutRedirectUri: spec.oauth.postLogoutRedirectUri,
      onLogin: (result) => Response.json({ sub: result.claims.sub, returnTo: result.returnTo }),
    });
    routes.set('GET /oauth/login', oidc.login);
    routes.set('GET /oauth/callback', oidc.callback);
    routes.set('POST /oauth/logout', oidc.logout);
  }
  if (spec.mtls) {
    const mtlsRoute: ProtectedHandler = async (request, context) => {
      const peer = context.mtls as { spiffeId?: { id: string }; via: string } | undefined;
      return Response.json({
        peer: peer?.spiffeId?.id,
        via: peer?.via,
        xfcc: request.headers.get('x-forwarded-client-cert'),
      });
    };
    routes.set('GET /mtls/billing', protect(mtlsRoute, policy({ mtls: spec.mtls.billing })));
    routes.set('GET /mtls/proxied', protect(mtlsRoute, policy({ mtls: spec.mtls.proxied })));
    if (spec.jwt) {
      routes.set(
        'GET /mtls/bound',
        protect(
          async (_request, { claims }) => Response.json({ sub: claims?.sub }),
          policy({ jwt: { verifier: spec.jwt, certificateBound: { required: true } } }),
        ),
      );
    }
  }
  return appWide(spec, async (request, info) => {
    const route = routes.get(`${request.method} ${new URL(request.url).pathname}`);
    return route === undefined
      ? Response.json({ error: 'not found' }, { status: 404 })
      : route(request, info);
  });
}

/** The app-wide wrappers (CORS inside security headers, so preflights and denials get the headers too). */
function appWide(
  spec: AppSpec,
  app: SecuredHandler,
): (request: Request, runtime?: unknown) => Promise<Response> {
  let handler: SecuredHandler = app;
  if (spec.cors) handler = cors(handler, spec.cors);
  if (spec.headers) return securityHeaders(handler, spec.headers, { onError: () => {} });
  return async (request, runtime) => handler(request, runtime as Parameters<SecuredHandler>[1]);
}
