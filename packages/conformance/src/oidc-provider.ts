/// <reference path="./oidc-provider-module.d.ts" />
// A real OpenID provider (oidc-provider) on 127.0.0.1:0 for tests, plus a small undici browser that drives
// its login and consent pages. PKCE required, exact redirect URIs, refresh-token rotation on, JWT access
// tokens for the API resource (at+jwt).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { request } from 'undici';

export const API_AUDIENCE = 'https://api.example.com';
export const APP_REDIRECT = 'http://127.0.0.1:9/callback';
export const CLIENT = { id: 'web-app', secret: 'web-app-secret-0123456789abcdef0123456789' } as const;
export const OTHER_CLIENT = { id: 'other-app', secret: 'other-app-secret-0123456789abcdef012345' } as const;

export interface TestProvider {
  readonly issuer: string;
  readonly provider: Provider;
  close(): Promise<void>;
}

/**
 * Start the provider. `redirectUris` are registered for both clients exactly as given.
 *
 * @example
 * const idp = await startProvider();
 */
export async function startProvider(redirectUris: readonly string[] = [APP_REDIRECT]): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
  const client = (c: { id: string; secret: string }) => ({
    client_id: c.id,
    client_secret: c.secret,
    redirect_uris: [...redirectUris],
    post_logout_redirect_uris: ['http://127.0.0.1:9/'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const provider = new Provider(issuer, {
    clients: [client(CLIENT), client(OTHER_CLIENT)],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-cookie-signing-key-0123456789abcdef'] },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    issueRefreshToken: async (_ctx: unknown, c: { grantTypeAllowed(type: string): boolean }) =>
      c.grantTypeAllowed('refresh_token'),
    claims: { openid: ['sub'], email: ['email'] },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read',
          audience: API_AUDIENCE,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.com` }),
    }),
  });
  server.on('request', provider.callback());
  return {
    issuer,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Follow an authorization URL through the provider's login and consent pages as `account`, like a browser
 * would, and return the URL the provider finally redirects to (our callback, or an error redirect).
 *
 * @example
 * const callbackUrl = await browseLogin(authorizationUrl, 'alice', APP_REDIRECT);
 */
export async function browseLogin(
  authorizationUrl: string,
  account: string,
  redirectPrefix: string,
): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (setCookie: string | string[] | undefined) => {
    for (const line of typeof setCookie === 'string' ? [setCookie] : (setCookie ?? [])) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  };
  let url = authorizationUrl;
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 12; step++) {
    const res = await request(url, {
      method,
      headers: {
        cookie: cookieHeader(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    });
    keep(res.headers['set-cookie']);
    const location = res.headers.location;
    if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
      await res.body.dump();
      const next = new URL(location, url).href;
      if (next.startsWith(redirectPrefix)) return next;
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`provider answered ${res.statusCode}: ${html.slice(0, 300)}`);
    // The provider's interaction page: a login form (asks for login) or a consent form.
    method = 'POST';
    body = html.includes('name="login"')
      ? new URLSearchParams({ prompt: 'login', login: account, password: 'any' }).toString()
      : new URLSearchParams({ prompt: 'consent' }).toString();
  }
  throw new Error('login did not finish within 12 steps');
}
