import type { FinishedLogin, OidcLogin } from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './respond.js';

/** Options of {@link oidcRoutes}. */
export interface ExpressOidcOptions {
  /** From `createOidcLogin({ client, secret })`. */
  login: OidcLogin;
  /** Start the app session from the verified login, then answer (usually a redirect to `result.returnTo`). */
  onLogin(result: FinishedLogin, req: Request, res: Response): void | Promise<void>;
  /** End the app session; may return the ID Token to send as `id_token_hint`. */
  onLogout?(req: Request, res: Response): string | undefined | Promise<string | undefined>;
  /** Where the provider sends the browser after logout (registered at the provider). */
  postLogoutRedirectUri?: string;
}

/** The three handlers of a BFF login. */
export interface ExpressOidcRoutes {
  /** GET: redirect to the provider; the transaction goes in a signed cookie. */
  login: RequestHandler;
  /** GET: verify the callback, then `onLogin`. Denials are 400 problem+json. */
  callback: RequestHandler;
  /** POST (a GET logout can be triggered cross-site): `onLogout`, then redirect to the provider's logout. */
  logout: RequestHandler;
}

/**
 * OIDC login / callback / logout for express. All protocol checks run in `@bulwark/core`; this only moves
 * cookies and redirects.
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
      const returnTo = typeof req.query.returnTo === 'string' ? req.query.returnTo : undefined;
      login.start(returnTo !== undefined ? { returnTo } : {}).then((verdict) => {
        if (!verdict.ok) return sendProblem(res, verdict.error);
        res.setHeader('set-cookie', verdict.value.setCookie);
        res.setHeader('cache-control', 'no-store');
        res.redirect(302, verdict.value.redirectTo);
      }, next);
    },
    callback(req: Request, res: Response, next: NextFunction): void {
      // The transaction is single-use whatever the outcome.
      res.setHeader('set-cookie', login.clearCookie);
      res.setHeader('cache-control', 'no-store');
      login
        .finish(fromNodeRequest(req, { url: req.originalUrl }))
        .then((verdict) =>
          verdict.ok ? options.onLogin(verdict.value, req, res) : sendProblem(res, verdict.error),
        )
        .catch(next);
    },
    logout(req: Request, res: Response, next: NextFunction): void {
      (async () => {
        const idTokenHint = await options.onLogout?.(req, res);
        const target = await login.client.endSessionUrl({
          ...(idTokenHint !== undefined ? { idTokenHint } : {}),
          ...(options.postLogoutRedirectUri !== undefined
            ? { postLogoutRedirectUri: options.postLogoutRedirectUri }
            : {}),
        });
        res.redirect(303, target ?? options.postLogoutRedirectUri ?? '/');
      })().catch(next);
    },
  };
}
