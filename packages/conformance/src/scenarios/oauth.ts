import { createOidcClient, createOidcLogin } from '@bulwark/core';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AdapterHarness, AppSpec, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { built } from '../recipe.js';
import { jwtSpec } from './jwt.js';
import { call } from '../http.js';
import { makeTestKeys } from '../keys.js';
import { APP_REDIRECT, browseLogin, CLIENT, startProvider, type TestProvider } from '../oidc-provider.js';

const LOGIN_SECRET = 'conformance-login-secret-0123456789abcdef';
export const POST_LOGOUT_REDIRECT = 'http://127.0.0.1:9/';

/** The OIDC login policy every adapter is configured with, against a running provider. */
export function oauthSpec(issuer: string): NonNullable<AppSpec['oauth']> {
  // Built through recipes, so runtimes other than node's (Bun, Deno, workerd) can build the same login.
  const client = built('createOidcClient', createOidcClient, {
    issuer,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    redirectUri: APP_REDIRECT,
    scopes: ['openid', 'email', 'api:read'],
  });
  return {
    login: built('createOidcLogin', createOidcLogin, { client, secret: LOGIN_SECRET }),
    postLogoutRedirectUri: POST_LOGOUT_REDIRECT,
  };
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const line = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return (line ?? '').split(';')[0]!;
}

/**
 * OIDC login scenarios over real HTTP against oidc-provider: the adapter's login / callback / logout
 * routes. The provider redirects to the registered APP_REDIRECT; the test browser replays that callback
 * on the app under test, the way a reverse proxy in front of it would.
 */
export function oauthScenarios(harness: AdapterHarness): void {
  scenarioGroup(harness, 'oauth', 'OIDC login', () => {
    let idp: TestProvider;
    let app: RunningApp;

    beforeAll(async () => {
      idp = await startProvider();
      // jwt rides along: NestJS's JwtGuard refuses to initialise without it (an app-wide provider).
      app = await harness.start({ jwt: jwtSpec(await makeTestKeys()), oauth: oauthSpec(idp.issuer) });
    });
    afterAll(async () => {
      await app?.close();
      await idp?.close();
    });

    async function beginLogin(returnTo = '/account') {
      const res = await call(app.url, `/oauth/login?returnTo=${encodeURIComponent(returnTo)}`);
      expect(res.status).toBe(302);
      const setCookie = res.headers['set-cookie'];
      expect(String(setCookie)).toMatch(
        /^__Host-bulwark-login=[^;]+; Path=\/; Max-Age=600; HttpOnly; Secure; SameSite=Lax/,
      );
      return { location: String(res.headers.location), cookie: cookieOf(setCookie) };
    }

    async function providerCallback(location: string, account = 'alice'): Promise<string> {
      const callback = new URL(await browseLogin(location, account, APP_REDIRECT));
      return `/oauth/callback${callback.search}`;
    }

    it('logs in: login redirect with PKCE, callback verified, transaction cookie cleared', async () => {
      const { location, cookie } = await beginLogin();
      const auth = new URL(location);
      expect(auth.origin).toBe(idp.issuer);
      expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
      const res = await call(app.url, await providerCallback(location), { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ sub: 'alice', returnTo: '/account' });
      expect(String(res.headers['set-cookie'])).toMatch(/^__Host-bulwark-login=; .*Max-Age=0/);
    });

    it("refuses another browser's callback (state bound to the transaction cookie)", async () => {
      const victim = await beginLogin();
      const attacker = await beginLogin();
      const res = await call(app.url, await providerCallback(attacker.location, 'mallory'), {
        headers: { cookie: victim.cookie },
      });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((res.json() as { code: string }).code).toBe('OAUTH_STATE_INVALID');
      // The transaction is spent on any outcome: the cookie is cleared on the denial too.
      expect(String(res.headers['set-cookie'])).toMatch(/^__Host-bulwark-login=; .*Max-Age=0/);
      expect(res.text).not.toContain(victim.cookie.split('=')[1]!.slice(0, 20));
    });

    it('refuses a callback without the transaction cookie', async () => {
      const { location } = await beginLogin();
      const res = await call(app.url, await providerCallback(location));
      expect(res.status).toBe(400);
      expect((res.json() as { code: string }).code).toBe('OAUTH_TRANSACTION_MISSING');
    });

    it('keeps returnTo local (no open redirect)', async () => {
      const { location, cookie } = await beginLogin('//evil.example/x');
      const res = await call(app.url, await providerCallback(location), { headers: { cookie } });
      expect((res.json() as { returnTo: string }).returnTo).toBe('/');
    });

    it('logs out with a POST that redirects to the provider end-session endpoint', async () => {
      const res = await request(new URL('/oauth/logout', app.url), { method: 'POST' });
      await res.body.dump();
      expect(res.statusCode).toBe(303);
      const location = new URL(String(res.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe(`${idp.issuer}/session/end`);
      expect(location.searchParams.get('post_logout_redirect_uri')).toBe(POST_LOGOUT_REDIRECT);
    });
  });
}
