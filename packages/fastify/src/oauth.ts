import type { FinishedLogin, OidcLogin } from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './respond.js';

/** Options of {@link oidcRoutes}. */
export interface FastifyOidcOptions {
  /** From `createOidcLogin({ client, secret })`. */
  login: OidcLogin;
  /** Start the app session from the verified login, then answer (usually a redirect to `result.returnTo`). */
  onLogin(result: FinishedLogin, request: FastifyRequest, reply: FastifyReply): unknown;
  /** End the app session; may return the ID Token to send as `id_token_hint`. */
  onLogout?(request: FastifyRequest, reply: FastifyReply): string | undefined | Promise<string | undefined>;
  /** Where the provider sends the browser after logout (registered at the provider). */
  postLogoutRedirectUri?: string;
}

/** A fastify route handler. */
export type OidcHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** The three handlers of a BFF login. */
export interface FastifyOidcRoutes {
  /** GET: redirect to the provider; the transaction goes in a signed cookie. */
  login: OidcHandler;
  /** GET: verify the callback, then `onLogin`. Denials are 400 problem+json. */
  callback: OidcHandler;
  /** POST (a GET logout can be triggered cross-site): `onLogout`, then redirect to the provider's logout. */
  logout: OidcHandler;
}

/**
 * OIDC login / callback / logout for fastify. All protocol checks run in `@bulwark/core`; this only moves
 * cookies and redirects.
 *
 * @example
 * const oidc = oidcRoutes({ login, onLogin: (r, request, reply) => reply.redirect(r.returnTo) });
 * app.get('/auth/login', oidc.login);
 * app.get('/auth/callback', oidc.callback);
 * app.post('/auth/logout', oidc.logout);
 */
export function oidcRoutes(options: FastifyOidcOptions): FastifyOidcRoutes {
  const { login } = options;
  return {
    async login(request, reply) {
      const query = request.query as Record<string, unknown> | undefined;
      const returnTo = typeof query?.returnTo === 'string' ? query.returnTo : undefined;
      const verdict = await login.start(returnTo !== undefined ? { returnTo } : {});
      if (!verdict.ok) return sendProblem(reply, verdict.error);
      return reply
        .header('set-cookie', verdict.value.setCookie)
        .header('cache-control', 'no-store')
        .redirect(verdict.value.redirectTo, 302);
    },
    async callback(request, reply) {
      // The transaction is single-use whatever the outcome.
      reply.header('set-cookie', login.clearCookie).header('cache-control', 'no-store');
      const verdict = await login.finish(fromNodeRequest(request.raw, { url: request.url }));
      if (!verdict.ok) return sendProblem(reply, verdict.error);
      return options.onLogin(verdict.value, request, reply);
    },
    async logout(request, reply) {
      const idTokenHint = await options.onLogout?.(request, reply);
      const target = await login.client.endSessionUrl({
        ...(idTokenHint !== undefined ? { idTokenHint } : {}),
        ...(options.postLogoutRedirectUri !== undefined
          ? { postLogoutRedirectUri: options.postLogoutRedirectUri }
          : {}),
      });
      return reply.redirect(target ?? options.postLogoutRedirectUri ?? '/', 303);
    },
  };
}
