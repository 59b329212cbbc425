import { type FinishedLogin, fromFetchRequest, type OidcLogin } from '@bulwark/core';
import { problemResponse, withHeaders } from './respond.js';

/** Options of {@link oidcHandlers}. */
export interface FetchOidcOptions {
  /** From `createOidcLogin({ client, secret })`. */
  login: OidcLogin;
  /** Start the app session from the verified login and answer (usually a redirect to `result.returnTo`). */
  onLogin(result: FinishedLogin, request: Request): Response | Promise<Response>;
  /** End the app session; may return the ID Token to send as `id_token_hint`. */
  onLogout?(request: Request): string | undefined | Promise<string | undefined>;
  /** Where the provider sends the browser after logout (registered at the provider). */
  postLogoutRedirectUri?: string;
}

/** The three handlers of a BFF login, as `(Request) => Response`. */
export interface FetchOidcHandlers {
  /** GET: redirect to the provider; the transaction goes in a signed cookie. */
  login(request: Request): Promise<Response>;
  /** GET: verify the callback, then `onLogin`. Denials are 400 problem+json. */
  callback(request: Request): Promise<Response>;
  /** POST (a GET logout can be triggered cross-site): `onLogout`, then redirect to the provider's logout. */
  logout(request: Request): Promise<Response>;
}

function redirect(location: string, status: 302 | 303, extra: Record<string, string> = {}): Response {
  return new Response(null, { status, headers: { location, 'cache-control': 'no-store', ...extra } });
}

/**
 * OIDC login / callback / logout for fetch handlers (Workers, Deno, Bun, Node). All protocol checks run in
 * `@bulwark/core`; this only moves cookies and redirects.
 *
 * @example
 * const oidc = oidcHandlers({ login, onLogin: (r) => startSession(r) });
 * if (url.pathname === '/auth/login') return oidc.login(request);
 */
export function oidcHandlers(options: FetchOidcOptions): FetchOidcHandlers {
  const { login } = options;
  return {
    async login(request) {
      const returnTo = new URL(request.url).searchParams.get('returnTo') ?? undefined;
      const verdict = await login.start(returnTo !== undefined ? { returnTo } : {});
      if (!verdict.ok) return problemResponse(verdict.error);
      return redirect(verdict.value.redirectTo, 302, { 'set-cookie': verdict.value.setCookie });
    },
    async callback(request) {
      const verdict = await login.finish(fromFetchRequest(request));
      // The transaction is single-use whatever the outcome.
      const clear = { 'set-cookie': login.clearCookie, 'cache-control': 'no-store' };
      if (!verdict.ok) return withHeaders(problemResponse(verdict.error), clear);
      const response = await options.onLogin(verdict.value, request);
      const merged = new Response(response.body, response);
      merged.headers.append('set-cookie', login.clearCookie);
      merged.headers.set('cache-control', 'no-store');
      return merged;
    },
    async logout(request) {
      const idTokenHint = await options.onLogout?.(request);
      const target = await login.client.endSessionUrl({
        ...(idTokenHint !== undefined ? { idTokenHint } : {}),
        ...(options.postLogoutRedirectUri !== undefined
          ? { postLogoutRedirectUri: options.postLogoutRedirectUri }
          : {}),
      });
      return redirect(target ?? options.postLogoutRedirectUri ?? '/', 303);
    },
  };
}
