import { type OidcRouteHandlers, oidcLogout, type OidcRoutesOptions, withHeaders } from '@bulwark/core';
import type { Context, Handler } from 'hono';
import { requestOf, stop } from './context.js';

/**
 * Options of {@link oidcRoutes}: the login, your session hooks called with the Hono `Context` (`onLogin`
 * answers, usually `c.redirect(result.returnTo)`), the logout redirect.
 */
export type HonoOidcOptions = OidcRoutesOptions<[c: Context], Response | Promise<Response>>;

/** The three handlers of a BFF login. */
export type HonoOidcRoutes = OidcRouteHandlers<Handler>;

/**
 * OIDC login / callback / logout as Hono handlers. Every step is decided in `@bulwark/core` and answered
 * with the reply it returns; this only calls your session hooks.
 *
 * @example
 * const oidc = oidcRoutes({ login, onLogin: (r, c) => { startSession(c, r.claims.sub); return c.redirect(r.returnTo); } });
 * app.get('/auth/login', oidc.login);
 * app.get('/auth/callback', oidc.callback);
 * app.post('/auth/logout', oidc.logout);
 */
export function oidcRoutes(options: HonoOidcOptions): HonoOidcRoutes {
  const { login } = options;
  return {
    async login(c) {
      return stop(await login.start(requestOf(c)));
    },
    async callback(c) {
      const verdict = await login.finish(requestOf(c));
      if (!verdict.ok) return stop(verdict);
      // The verdict's headers clear the single-use transaction cookie on whatever the app answers.
      return withHeaders(await options.onLogin(verdict.value, c), verdict.headers);
    },
    async logout(c) {
      return stop(await oidcLogout(options, c));
    },
  };
}
