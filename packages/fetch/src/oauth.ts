import {
  fromFetchRequest,
  type OidcRouteHandlers,
  oidcLogout,
  type OidcRoutesOptions,
  withHeaders,
} from '@bulwark/core';
import { replyResponse } from './reply.js';

/**
 * Options of {@link oidcHandlers}: the login, your session hooks called with the `Request` (`onLogin`
 * answers with a Response, usually a redirect to `result.returnTo`), the logout redirect.
 */
export type FetchOidcOptions = OidcRoutesOptions<[request: Request], Response | Promise<Response>>;

/** The three handlers of a BFF login. */
export type FetchOidcHandlers = OidcRouteHandlers<(request: Request) => Promise<Response>>;

/**
 * OIDC login / callback / logout for fetch handlers (Workers, Deno, Bun, Node). Every step is decided in
 * `@bulwark/core` and answered with the reply it returns; this only calls your session hooks.
 *
 * @example
 * const oidc = oidcHandlers({ login, onLogin: (r) => startSession(r) });
 * if (url.pathname === '/auth/login') return oidc.login(request);
 */
export function oidcHandlers(options: FetchOidcOptions): FetchOidcHandlers {
  const { login } = options;
  return {
    async login(request) {
      return replyResponse((await login.start(fromFetchRequest(request))).reply);
    },
    async callback(request) {
      const verdict = await login.finish(fromFetchRequest(request));
      if (!verdict.ok) return replyResponse(verdict.reply);
      // The verdict's headers clear the single-use transaction cookie on whatever the app answers.
      return withHeaders(await options.onLogin(verdict.value, request), verdict.headers);
    },
    async logout(request) {
      return replyResponse((await oidcLogout(options, request)).reply);
    },
  };
}
