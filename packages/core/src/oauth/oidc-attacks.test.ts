import type { Answered, Denied } from '../verdict.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_REDIRECT,
  browseLogin,
  CLIENT,
  OTHER_CLIENT,
  startProvider,
  type TestProvider,
} from '../../../conformance/src/oidc-provider.js';
import type { SecurityEvent } from '../events.js';
import { createMemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore } from '../stores/types.js';
import { type OidcClient, createOidcClient } from './client.js';
import { createOidcLogin } from './login.js';
import { createPkcePair } from './pkce.js';
import { createRedirectUriMatcher } from './redirect-uri.js';

/** Where a started login sends the browser, and the transaction cookie it sets (a 302 the adapter writes as is). */
function redirectOf(v: Answered | Denied): { status: number; redirectTo: string; setCookie: string } {
  if (v.error !== undefined) throw new Error(v.error.code);
  const header = (name: string) => v.reply.headers.find(([n]) => n === name)?.[1] ?? '';
  return { status: v.reply.status, redirectTo: header('location'), setCookie: header('set-cookie') };
}

const HTTPS_CB = 'https://app.example.com/cb';
const SECRET = 'login-secret-for-tests-0123456789abcdef';
let idp: TestProvider;
beforeAll(async () => {
  idp = await startProvider([APP_REDIRECT, HTTPS_CB]);
});
afterAll(() => idp?.close());

/** Replaces the id_token of token responses, like a man in the middle between the app and the provider. */
let substitute: ((idToken: string) => string) | undefined;
/** When set, a code is answered from the first answer it got: a provider that lets a code be redeemed twice. */
let redeemTwice: Map<string, { status: number; body: string }> | undefined;
const mitmFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
  if (redeemTwice !== undefined && String(input).endsWith('/token')) {
    const grant = String(init?.body);
    let answer = redeemTwice.get(grant);
    if (answer === undefined) {
      const first = await fetch(input, init);
      answer = { status: first.status, body: await first.text() };
      redeemTwice.set(grant, answer);
    }
    return new Response(answer.body, {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  }
  const response = await fetch(input, init);
  if (substitute === undefined || !String(input).endsWith('/token')) return response;
  const json = (await response.json()) as Record<string, unknown>;
  if (typeof json.id_token === 'string') json.id_token = substitute(json.id_token);
  return new Response(JSON.stringify(json), {
    status: response.status,
    headers: { 'content-type': 'application/json' },
  });
};

function setup(
  options: {
    client?: { id: string; secret: string };
    replayStore?: ReplayStore;
    events?: SecurityEvent[];
  } = {},
) {
  const c = options.client ?? CLIENT;
  const events = options.events ?? [];
  const client = createOidcClient({
    issuer: idp.issuer,
    clientId: c.id,
    clientSecret: c.secret,
    redirectUri: APP_REDIRECT,
    scopes: ['openid', 'email', 'api:read'],
    fetch: mitmFetch,
    onEvent: (e) => events.push(e),
  });
  const login = createOidcLogin({
    client,
    secret: SECRET,
    onEvent: (e) => events.push(e),
    ...(options.replayStore ? { replayStore: options.replayStore } : {}),
  });
  return { client, login, events };
}

function browserRequest(url: string, setCookie: string | undefined) {
  const cookie = setCookie?.split(';')[0];
  return { method: 'GET', url, header: (n: string) => (n === 'cookie' ? cookie : undefined) };
}

async function reachCallback(login: ReturnType<typeof setup>['login'], account = 'alice') {
  const started = redirectOf(await login.start());
  const callbackUrl = await browseLogin(started.redirectTo, account, APP_REDIRECT);
  return { callbackUrl, setCookie: started.setCookie };
}

async function idTokenOf(client: 'same' | 'other'): Promise<string> {
  const { login } = setup(client === 'other' ? { client: OTHER_CLIENT } : {});
  const { callbackUrl, setCookie } = await reachCallback(login, 'mallory');
  const done = await login.finish(browserRequest(callbackUrl, setCookie));
  if (!done.ok) throw new Error(done.error?.code);
  return done.value.tokens.idToken!;
}

function code(v: { ok: boolean; error?: { code: string } | undefined }) {
  return v.ok ? 'ok' : v.error?.code;
}

describe('OIDC attacks against a real provider', () => {
  it('refuses a replayed callback: the provider refuses the code, the replay store the state', async () => {
    const { login } = setup({ replayStore: createMemoryReplayStore() });
    const { callbackUrl, setCookie } = await reachCallback(login);
    expect(code(await login.finish(browserRequest(callbackUrl, setCookie)))).toBe('ok');
    expect(code(await login.finish(browserRequest(callbackUrl, setCookie)))).toBe('OAUTH_CODE_REJECTED');
    // A provider that lets a code be redeemed twice: the single-use state still stops the replay.
    redeemTwice = new Map();
    try {
      const lax = await reachCallback(login);
      expect(code(await login.finish(browserRequest(lax.callbackUrl, lax.setCookie)))).toBe('ok');
      expect(code(await login.finish(browserRequest(lax.callbackUrl, lax.setCookie)))).toBe(
        'OAUTH_STATE_REPLAYED',
      );
    } finally {
      redeemTwice = undefined;
    }
    // Without a replay store the provider still refuses the second use of the code.
    const plain = setup();
    const again = await reachCallback(plain.login);
    expect(code(await plain.login.finish(browserRequest(again.callbackUrl, again.setCookie)))).toBe('ok');
    expect(code(await plain.login.finish(browserRequest(again.callbackUrl, again.setCookie)))).toBe(
      'OAUTH_CODE_REJECTED',
    );
  });

  it('anonymous start + forged-callback loops take no replay-store entry: real logins still work', async () => {
    // A store that holds 5 claims: before, each forged callback spent one and the 6th login got a 503.
    const { login } = setup({ replayStore: createMemoryReplayStore({ maxEntries: 5 }) });
    for (let i = 0; i < 20; i++) {
      const started = redirectOf(await login.start());
      const state = new URL(started.redirectTo).searchParams.get('state')!;
      const forged = `${APP_REDIRECT}?code=forged-${i}&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(idp.issuer)}`;
      expect(code(await login.finish(browserRequest(forged, started.setCookie)))).toBe('OAUTH_CODE_REJECTED');
    }
    for (let i = 0; i < 3; i++) {
      const { callbackUrl, setCookie } = await reachCallback(login);
      expect(code(await login.finish(browserRequest(callbackUrl, setCookie)))).toBe('ok');
    }
  });

  it("refuses a callback carrying another session's state and code (login CSRF)", async () => {
    const { login, events } = setup();
    const victim = redirectOf(await login.start());
    const attacker = await reachCallback(login, 'mallory');
    const v = await login.finish(browserRequest(attacker.callbackUrl, victim.setCookie));
    expect(code(v)).toBe('OAUTH_STATE_INVALID');
    expect(events.some((e) => e.type === 'oauth.state_rejected')).toBe(true);
  });

  it('refuses a callback without the transaction cookie, or with a forged one', async () => {
    const { login } = setup();
    const { callbackUrl, setCookie } = await reachCallback(login);
    expect(code(await login.finish(browserRequest(callbackUrl, undefined)))).toBe(
      'OAUTH_TRANSACTION_MISSING',
    );
    const forged = setCookie.replace(/=([^.]+)\./, (_m, p: string) => `=${p.slice(0, -2)}AA.`);
    expect(code(await login.finish(browserRequest(callbackUrl, forged)))).toBe('OAUTH_TRANSACTION_MISSING');
    const doubled = {
      method: 'GET',
      url: callbackUrl,
      header: (n: string) =>
        n === 'cookie' ? `${setCookie.split(';')[0]}; ${setCookie.split(';')[0]}` : undefined,
    };
    expect(code(await login.finish(doubled))).toBe('OAUTH_TRANSACTION_MISSING');
  });

  it('refuses a forged or missing iss response parameter (mix-up, RFC 9207)', async () => {
    const { login } = setup();
    const { callbackUrl, setCookie } = await reachCallback(login);
    const forged = new URL(callbackUrl);
    forged.searchParams.set('iss', 'https://evil.example');
    expect(code(await login.finish(browserRequest(forged.href, setCookie)))).toBe('OAUTH_ISSUER_MISMATCH');
    const second = await reachCallback(login);
    const stripped = new URL(second.callbackUrl);
    stripped.searchParams.delete('iss');
    expect(code(await login.finish(browserRequest(stripped.href, second.setCookie)))).toBe(
      'OAUTH_ISSUER_MISMATCH',
    );
  });

  it('refuses an id_token from another login of the same client (nonce mismatch)', async () => {
    const foreign = await idTokenOf('same');
    const { login } = setup();
    const { callbackUrl, setCookie } = await reachCallback(login);
    substitute = () => foreign;
    try {
      expect(code(await login.finish(browserRequest(callbackUrl, setCookie)))).toBe('OAUTH_NONCE_MISMATCH');
    } finally {
      substitute = undefined;
    }
  });

  it('refuses an id_token issued to another client', async () => {
    const foreign = await idTokenOf('other');
    const { login, events } = setup();
    const { callbackUrl, setCookie } = await reachCallback(login);
    substitute = () => foreign;
    try {
      expect(code(await login.finish(browserRequest(callbackUrl, setCookie)))).toBe('OAUTH_ID_TOKEN_INVALID');
      expect(events.at(-1)?.detail).toContain('aud');
    } finally {
      substitute = undefined;
    }
  });

  it('refuses a tampered id_token', async () => {
    const { login } = setup();
    const { callbackUrl, setCookie } = await reachCallback(login);
    substitute = (token) => {
      const [h, p, s] = token.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      claims.sub = 'admin';
      return [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
    };
    try {
      expect(code(await login.finish(browserRequest(callbackUrl, setCookie)))).toBe('OAUTH_ID_TOKEN_INVALID');
    } finally {
      substitute = undefined;
    }
  });

  it('refuses a code exchanged with the wrong or without a PKCE verifier', async () => {
    const { client, login } = setup();
    const { callbackUrl } = await reachCallback(login);
    const params = new URL(callbackUrl).searchParams;
    const other = await createPkcePair();
    const v = await client.handleCallback(params, {
      state: params.get('state')!,
      nonce: 'n',
      codeVerifier: other.verifier,
    });
    expect(code(v)).toBe('OAUTH_CODE_REJECTED');
    // Straight to the provider's token endpoint, no code_verifier at all.
    const second = await reachCallback(login);
    const res = await tokenRequest(client, {
      grant_type: 'authorization_code',
      code: new URL(second.callbackUrl).searchParams.get('code')!,
      redirect_uri: APP_REDIRECT,
    });
    expect(res.status).toBe(400);
    expect(['invalid_grant', 'invalid_request']).toContain(res.body.error);
  });

  it('the provider refuses an authorization request without PKCE', async () => {
    const { client } = setup();
    const url = new URL(await client.metadata().then((m) => (m.ok ? m.value.authorization_endpoint : '')));
    const params = {
      response_type: 'code',
      client_id: CLIENT.id,
      redirect_uri: APP_REDIRECT,
      scope: 'openid',
      state: 's',
    };
    for (const [k, val] of Object.entries(params)) url.searchParams.set(k, val);
    const res = await request(url.href);
    await res.body.dump();
    const location = new URL(String(res.headers.location));
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it.each([
    'https://app.example.com.attacker.com/cb',
    'https://app.example.com@attacker.com/cb',
    'https://app.example.com/cb/../evil',
    'https://app.example.com/cb?x=1',
    'https://app.example.com/CB',
    'https://app.example.com/cb/',
    'https://app.example.com/cb#frag',
  ])('refuses redirect_uri %s, at the provider and in our matcher', async (variant) => {
    expect(createRedirectUriMatcher([HTTPS_CB]).match(variant).ok).toBe(false);
    const { client } = setup();
    const meta = await client.metadata();
    if (!meta.ok) throw new Error('no metadata');
    const pkce = await createPkcePair();
    const url = new URL(meta.value.authorization_endpoint);
    const params = {
      response_type: 'code',
      client_id: CLIENT.id,
      redirect_uri: variant,
      scope: 'openid',
      state: 's',
      nonce: 'n',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    };
    for (const [k, val] of Object.entries(params)) url.searchParams.set(k, val);
    const res = await request(url.href);
    await res.body.dump();
    // Never a redirect to the attacker's URI: the provider answers with an error page.
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });
});

async function tokenRequest(client: OidcClient, form: Record<string, string>) {
  const meta = await client.metadata();
  if (!meta.ok) throw new Error('no metadata');
  const res = await request(meta.value.token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${CLIENT.id}:${CLIENT.secret}`)}`,
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.statusCode, body: (await res.body.json()) as { error?: string } };
}
