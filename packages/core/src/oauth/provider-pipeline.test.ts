import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import { createOidcClient } from './client.js';
import type { FetchLike } from './provider-http.js';

// A real HTTP server playing the provider (discovery, JWKS, token endpoint), so the ID Token goes through
// the whole pipeline of the client: the shared fetch, discovery, key set and JWT parse of jwt/.
interface Provider {
  metadata: Record<string, unknown>;
  jwks: { contentType: string; body: () => string };
  /** The token endpoint's JSON body text. */
  token: () => Promise<string>;
  hits: Record<string, number>;
}

let server: Server;
let issuer: string;
let provider: Provider;
// A node KeyObject signs with RS256 and PS256 alike: what an attacker holding one key could do.
let privateKey: KeyObject;
let publicJwk: JWK;
const NONCE = 'nonce-1';
const expected = { state: 'state-1', nonce: NONCE, codeVerifier: 'v'.repeat(43) };

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    provider.hits[path] = (provider.hits[path] ?? 0) + 1;
    if (path === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(provider.metadata));
    } else if (path === '/jwks') {
      res.writeHead(200, { 'content-type': provider.jwks.contentType }).end(provider.jwks.body());
    } else if (path === '/token' && req.method === 'POST') {
      void provider.token().then((body) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function claims(extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: 'web', sub: 'alice', iat: now, exp: now + 300, nonce: NONCE, ...extra };
}

function signed(alg = 'RS256', extra: Record<string, unknown> = {}, kid = 'k1'): Promise<string> {
  return new SignJWT(claims(extra)).setProtectedHeader({ alg, kid }).sign(privateKey);
}

const tokenResponse = (idToken: string) =>
  JSON.stringify({ access_token: 'at', token_type: 'Bearer', id_token: idToken });

beforeEach(() => {
  provider = {
    metadata: {
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
    },
    jwks: {
      contentType: 'application/json',
      body: () => JSON.stringify({ keys: [{ ...publicJwk, kid: 'k1', alg: 'RS256' }] }),
    },
    token: async () => tokenResponse(await signed()),
    hits: {},
  };
});

async function login(options: { fetch?: FetchLike } = {}) {
  const events: SecurityEvent[] = [];
  const client = createOidcClient({
    issuer,
    clientId: 'web',
    clientSecret: 'secret',
    redirectUri: 'https://app.example.com/cb',
    scopes: ['openid'],
    onEvent: (e) => events.push(e),
    ...options,
  });
  const params = new URLSearchParams({ state: expected.state, code: 'code-1', iss: issuer });
  const v = await client.handleCallback(params, expected);
  return { code: v.ok ? 'ok' : v.error?.code, value: v.ok ? v.value : undefined, events };
}

const details = (events: SecurityEvent[]) => events.map((e) => `${e.type}: ${e.detail ?? ''}`).join('\n');

describe('ID Tokens through the access-token pipeline', () => {
  it('accepts a valid ID Token', async () => {
    const r = await login();
    expect(r.code).toBe('ok');
    expect(r.value?.claims.sub).toBe('alice');
  });

  it('refuses an ID Token repeating "sub" (JSON.parse would take the last: admin)', async () => {
    provider.token = async () => {
      const payload = JSON.stringify(claims()).replace('"sub":"alice"', '"sub":"alice","sub":"admin"');
      const jws = await new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .sign(privateKey);
      return tokenResponse(jws);
    };
    const r = await login();
    expect(r.code).toBe('OAUTH_ID_TOKEN_INVALID');
    expect(details(r.events)).toMatch(/unique members/);
  });

  it('refuses a token response repeating a member (the second id_token is not taken)', async () => {
    provider.token = async () =>
      `{"access_token":"at","token_type":"Bearer","id_token":"x.y.z","id_token":"${await signed()}"}`;
    expect((await login()).code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
  });

  it('refuses a JWKS served as text/html', async () => {
    provider.jwks.contentType = 'text/html; charset=utf-8';
    const r = await login();
    expect(r.code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(details(r.events)).toMatch(/jwt\.jwks_failed: .*text\/html.*not JSON/);
  });

  it('accepts a JWKS served as application/jwk-set+json', async () => {
    provider.jwks.contentType = 'application/jwk-set+json';
    expect((await login()).code).toBe('ok');
  });

  it('refuses a JWKS over the size cap', async () => {
    provider.jwks.body = () =>
      JSON.stringify({ keys: [{ ...publicJwk, kid: 'k1', alg: 'RS256' }], pad: 'x'.repeat(100_000) });
    const r = await login();
    expect(r.code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(details(r.events)).toMatch(/larger than|exceeds/);
  });

  it('binds a key without alg to one algorithm: never RS256 and PS256 with the same key', async () => {
    provider.jwks.body = () => JSON.stringify({ keys: [{ ...publicJwk, kid: 'k1' }] });
    // The provider signs only RS256: the key binds to RS256, and a PS256 token with it is refused.
    expect((await login()).code).toBe('ok');
    provider.token = async () => tokenResponse(await signed('PS256'));
    expect((await login()).code).toBe('OAUTH_ID_TOKEN_INVALID');
    // A provider advertising both: the key is ambiguous and skipped, so no token verifies with it.
    provider.metadata.id_token_signing_alg_values_supported = ['RS256', 'PS256'];
    const both = await login();
    expect(both.code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(details(both.events)).toMatch(/jwt\.jwks_key_skipped: .*several allowed algorithms/);
  });

  it('refuses a provider whose ID Token algorithms are none of the accepted ones', async () => {
    provider.metadata.id_token_signing_alg_values_supported = ['HS256'];
    const r = await login();
    expect(r.code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(details(r.events)).toMatch(/signs ID Tokens with HS256/);
  });

  it('fetches the JWKS at most once per cooldown, whatever kids the tokens name', async () => {
    const client = createOidcClient({
      issuer,
      clientId: 'web',
      redirectUri: 'https://app.example.com/cb',
      scopes: ['openid'],
    });
    const params = new URLSearchParams({ state: expected.state, code: 'c', iss: issuer });
    for (let i = 0; i < 10; i++) {
      provider.token = async () => tokenResponse(await signed('RS256', {}, `random-${i}`));
      const v = await client.handleCallback(params, expected);
      expect(v.ok ? 'ok' : v.error?.code).toBe('OAUTH_ID_TOKEN_INVALID');
    }
    // The first load, and one refresh for the first unknown kid; the rest wait for the cooldown.
    expect(provider.hits['/jwks']).toBeLessThanOrEqual(2);
  });

  it('sends discovery, token and JWKS requests through the one configured fetch, refusing redirects', async () => {
    const seen: string[] = [];
    const counting: FetchLike = (input, init) => {
      seen.push(new URL(String(input)).pathname);
      return fetch(input, init);
    };
    expect((await login({ fetch: counting })).code).toBe('ok');
    expect(seen.sort()).toEqual(['/.well-known/openid-configuration', '/jwks', '/token']);
    const redirecting: FetchLike = async (input, init) =>
      String(input).endsWith('/jwks')
        ? new Response(null, { status: 302, headers: { location: 'https://evil.example/jwks' } })
        : fetch(input, init);
    const r = await login({ fetch: redirecting });
    expect(r.code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(details(r.events)).toMatch(/redirect/);
  });
});
