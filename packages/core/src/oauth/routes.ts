import type { Answered } from '../verdict.js';
import type { FinishedLogin, OidcLogin } from './login.js';

/**
 * What every adapter's OIDC routes take: the login, your session hooks (called with the framework's own
 * request arguments, `Args`) and the logout redirect. `LoginAnswer` is what `onLogin` returns on that
 * framework (a `Response` for fetch handlers, nothing on express).
 *
 * @example
 * type ExpressOidcOptions = OidcRoutesOptions<[req: Request, res: Response], void | Promise<void>>;
 */
export interface OidcRoutesOptions<Args extends readonly unknown[], LoginAnswer = unknown> {
  /** From `createOidcLogin({ client, secret })`. */
  login: OidcLogin;
  /** Start the app session from the verified login, then answer (usually a redirect to `result.returnTo`). */
  onLogin(result: FinishedLogin, ...args: Args): LoginAnswer;
  /** End the app session; may return the ID Token to send as `id_token_hint`. */
  onLogout?(...args: Args): string | undefined | Promise<string | undefined>;
  /** Where the provider sends the browser after logout (registered at the provider). */
  postLogoutRedirectUri?: string;
}

/**
 * The logout step of an adapter's OIDC routes: your `onLogout` ends the app session (and may hand back the
 * ID Token for `id_token_hint`), then the answer is the provider's logout redirect (303) to write as it is.
 *
 * @example
 * writeReply(res, (await oidcLogout(options, req, res)).reply);
 */
export async function oidcLogout<Args extends readonly unknown[]>(
  options: OidcRoutesOptions<Args>,
  ...args: Args
): Promise<Answered> {
  const idTokenHint = await options.onLogout?.(...args);
  return options.login.logout({ idTokenHint, postLogoutRedirectUri: options.postLogoutRedirectUri });
}

/**
 * The three handlers of a BFF login as every adapter returns them, in its framework's handler type `H`.
 *
 * @example
 * type ExpressOidcRoutes = OidcRouteHandlers<RequestHandler>;
 */
export interface OidcRouteHandlers<H> {
  /** GET: redirect to the provider; the transaction goes in a signed cookie. */
  login: H;
  /** GET: verify the callback, then `onLogin`. A refused callback is a 400 problem+json. */
  callback: H;
  /** POST (a GET logout can be triggered cross-site): `onLogout`, then redirect to the provider's logout. */
  logout: H;
}
