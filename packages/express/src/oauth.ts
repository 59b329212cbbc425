import { type OidcRouteHandlers, oidcLogout, type OidcRoutesOptions } from '@bulwark/core';
import { applyVerdict, writeReply } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestOf } from './http.js';

/** Options of {@link oidcRoutes}: the login, your session hooks called with `(req, res)`, the logout redirect. */
export type ExpressOidcOptions = OidcRoutesOptions<[req: Request, res: Response], void | Promise<void>>;

/** The three handlers of a BFF login. */
export type ExpressOidcRoutes = OidcRouteHandlers<RequestHandler>;

/**
 * OIDC login / callback / logout for express. Every step is decided in `@bulwark/core` and answered with
 * the reply it returns; this only calls your session hooks.
 *
 * @example
 * const oidc = oidcRoutes({ login, onLogin: (r, req, res) => { req.session.sub = r.claims.sub; res.redirect(r.returnTo); } });
 * app.get('/auth/login', oidc.login);
 * app.get('/auth/callback', oidc.callback);
 * app.post('/auth/logout', oidc.logout);
 */
export function oidcRoutes(options: ExpressOidcOptions): ExpressOidcRoutes {
  const { login } = options;
  return {
    login(req: Request, res: Response, next: NextFunction): void {
      login.start(requestOf(req)).then((answer) => writeReply(res, answer.reply), next);
    },
    callback(req: Request, res: Response, next: NextFunction): void {
      login
        .finish(requestOf(req))
        .then((verdict) =>
          applyVerdict(req, res, verdict) ? options.onLogin(verdict.value, req, res) : undefined,
        )
        .catch(next);
    },
    logout(req: Request, res: Response, next: NextFunction): void {
      oidcLogout(options, req, res).then((answer) => writeReply(res, answer.reply), next);
    },
  };
}
