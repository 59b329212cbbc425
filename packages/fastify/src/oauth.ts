import { type OidcRouteHandlers, oidcLogout, type OidcRoutesOptions } from '@bulwark/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pass, requestOf, send } from './reply.js';

/** Options of {@link oidcRoutes}: the login, your session hooks called with `(request, reply)`, the logout redirect. */
export type FastifyOidcOptions = OidcRoutesOptions<[request: FastifyRequest, reply: FastifyReply]>;

/** A fastify route handler. */
export type OidcHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** The three handlers of a BFF login. */
export type FastifyOidcRoutes = OidcRouteHandlers<OidcHandler>;

/**
 * OIDC login / callback / logout for fastify. Every step is decided in `@bulwark/core` and answered with
 * the reply it returns; this only calls your session hooks.
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
      return send(reply, (await login.start(requestOf(request))).reply);
    },
    async callback(request, reply) {
      const verdict = await login.finish(requestOf(request));
      return pass(request, reply, verdict) ? options.onLogin(verdict.value, request, reply) : reply;
    },
    async logout(request, reply) {
      return send(reply, (await oidcLogout(options, request, reply)).reply);
    },
  };
}
