import type { FinishedLogin, OidcLogin } from '@bulwark/core';
import { applyVerdict, writeReply } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestOf } from './http.js';

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
      (async () => {
        const idTokenHint = await options.onLogout?.(req, res);
        const answer = await login.logout({
          idTokenHint,
          postLogoutRedirectUri: options.postLogoutRedirectUri,
        });
        writeReply(res, answer.reply);
      })().catch(next);
    },
  };
}
