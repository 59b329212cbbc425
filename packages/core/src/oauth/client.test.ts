import type { Answered, Denied } from '../verdict.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browseLogin,
  APP_REDIRECT,
  CLIENT,
  startProvider,
  type TestProvider,
} from '../../../conformance/src/oidc-provider.js';
import type { SecurityEvent } from '../events.js';
import { createOidcClient } from './client.js';
import { createOidcLogin } from './login.js';

/** Where a started login sends the browser, and the transaction cookie it sets (a 302 the adapter writes as is). */
function redirectOf(v: Answered | Denied): { status: number; redirectTo: string; setCookie: string } {
  if (v.error !== undefined) throw new Error(v.error.code);
  const header = (name: string) => v.reply.headers.find(([n]) => n === name)?.[1] ?? '';
  return { status: v.reply.status, redirectTo: header('location'), setCookie: header('set-cookie') };
}

let idp: TestProvider;
beforeAll(async () => {
  idp = await startProvider();
});
afterAll(() => idp?.close());

const SECRET = 'login-secret-for-tests-0123456789abcdef';

function makeLogin(events: SecurityEvent[] = []) {
  const client = createOidcClient({
    issuer: idp.issuer,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    redirectUri: APP_REDIRECT,
    scopes: ['openid', 'email', 'api:read'],
    onEvent: (e) => events.push(e),
  });
  return { client, login: createOidcLogin({ client, secret: SECRET, onEvent: (e) => events.push(e) }) };
}

/** The callback request as the browser would send it: the callback URL plus the transaction cookie. */
function callbackRequest(callbackUrl: string, setCookie: string) {
  const cookie = setCookie.split(';')[0]!;
  return { method: 'GET', url: callbackUrl, header: (n: string) => (n === 'cookie' ? cookie : undefined) };
}

describe('OIDC login against oidc-provider', () => {
  it('logs in end to end: PKCE, state, nonce, code exchange, id_token validated, refresh', async () => {
    const events: SecurityEvent[] = [];
    const { client, login } = makeLogin(events);
    const started = redirectOf(await login.start(undefined, { returnTo: '/account' }));
    expect(started.status).toBe(302);
    const auth = new URL(started.redirectTo);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('response_type')).toBe('code');
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(started.setCookie).toMatch(
      /^__Host-bulwark-login=[^;]+; Path=\/; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/,
    );

    const callbackUrl = await browseLogin(started.redirectTo, 'alice', APP_REDIRECT);
    expect(new URL(callbackUrl).searchParams.get('iss')).toBe(idp.issuer);
    const finished = await login.finish(callbackRequest(callbackUrl, started.setCookie));
    expect(finished.ok).toBe(true);
    if (!finished.ok) return;
    expect(finished.value.returnTo).toBe('/account');
    expect(finished.value.claims.sub).toBe('alice');
    expect(finished.value.claims.aud).toBe(CLIENT.id);
    const { accessToken, refreshToken } = finished.value.tokens;
    // A JWT access token for the API (at+jwt), from resource indicators.
    expect(JSON.parse(atob(accessToken.split('.')[0]!)).typ).toBe('at+jwt');
    expect(refreshToken).toBeTruthy();

    const refreshed = await client.refresh(refreshToken!, { subject: 'alice' });
    expect(refreshed.ok).toBe(true);
    if (!refreshed.ok) return;
    expect(refreshed.value.tokens.refreshToken).toBeTruthy();
    expect(refreshed.value.tokens.refreshToken).not.toBe(refreshToken);
    if (refreshed.value.claims !== undefined) expect(refreshed.value.claims.sub).toBe('alice');
    expect(events.some((e) => e.type === 'oauth.login')).toBe(true);
    const logout = await client.endSessionUrl({ idTokenHint: finished.value.tokens.idToken! });
    expect(logout).toMatch(new RegExp(`^${idp.issuer}/session/end\\?`));
  });

  it('detects refresh-token reuse at the provider: the replayed token and its successor both die', async () => {
    const { client, login } = makeLogin();
    const started = redirectOf(await login.start());
    const callbackUrl = await browseLogin(started.redirectTo, 'bob', APP_REDIRECT);
    const done = await login.finish(callbackRequest(callbackUrl, started.setCookie));
    if (!done.ok) throw new Error(done.error?.code);
    const first = done.value.tokens.refreshToken!;
    const second = await client.refresh(first);
    if (!second.ok) throw new Error(second.error?.code);
    const replay = await client.refresh(first);
    expect(replay.ok ? 'ok' : replay.error?.code).toBe('OAUTH_REFRESH_INVALID');
    const after = await client.refresh(second.value.tokens.refreshToken!);
    expect(after.ok ? 'ok' : after.error?.code).toBe('OAUTH_REFRESH_INVALID');
  });

  it('lets at most one of several concurrent refreshes with one token through', async () => {
    const { client, login } = makeLogin();
    const started = redirectOf(await login.start());
    const callbackUrl = await browseLogin(started.redirectTo, 'carol', APP_REDIRECT);
    const done = await login.finish(callbackRequest(callbackUrl, started.setCookie));
    if (!done.ok) throw new Error(done.error?.code);
    const token = done.value.tokens.refreshToken!;
    const results = await Promise.all(Array.from({ length: 5 }, () => client.refresh(token)));
    expect(results.filter((r) => r.ok).length).toBeLessThanOrEqual(1);
    expect(
      results.filter((r) => !r.ok).every((r) => !r.ok && r.error?.code === 'OAUTH_REFRESH_INVALID'),
    ).toBe(true);
  });

  it('sends max_age and checks auth_time in the id_token', async () => {
    const client = createOidcClient({
      issuer: idp.issuer,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      redirectUri: APP_REDIRECT,
      scopes: ['openid'],
      maxAgeSeconds: 300,
    });
    const login = createOidcLogin({ client, secret: SECRET });
    const started = redirectOf(await login.start());
    expect(new URL(started.redirectTo).searchParams.get('max_age')).toBe('300');
    const callbackUrl = await browseLogin(started.redirectTo, 'erin', APP_REDIRECT);
    const done = await login.finish(callbackRequest(callbackUrl, started.setCookie));
    if (!done.ok) throw new Error(done.error?.code);
    expect(typeof done.value.claims.auth_time).toBe('number');
    expect(Math.abs(Date.now() / 1000 - (done.value.claims.auth_time as number))).toBeLessThan(300);
  });
});
