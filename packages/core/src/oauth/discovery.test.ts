import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { createOidcClient } from './client.js';

// A real HTTP server playing a misbehaving provider.
let server: Server;
let base: string;
type Answer = { status: number; body: string; delayMs?: number; contentType?: string };
let answer: (issuer: string) => Answer;

beforeAll(async () => {
  server = createServer((_req, res) => {
    const a = answer(base);
    setTimeout(
      () => res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json' }).end(a.body),
      a.delayMs ?? 0,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const goodMetadata = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
  code_challenge_methods_supported: ['S256'],
});

function client(timeoutMs = 5000, assumePkce = false) {
  return createOidcClient({
    issuer: base,
    clientId: 'c',
    redirectUri: 'https://app.example.com/cb',
    scopes: ['openid'],
    timeoutMs,
    ...(assumePkce ? { dangerouslyAssumePkceSupport: true as const } : {}),
  });
}

async function failure(make: (issuer: string) => Answer, timeoutMs?: number, assumePkce = false) {
  answer = make;
  const m = await client(timeoutMs, assumePkce).metadata();
  return m.ok ? 'ok' : m.error?.code;
}

describe('discovery', () => {
  it('accepts consistent metadata', async () => {
    expect(await failure((i) => ({ status: 200, body: JSON.stringify(goodMetadata(i)) }))).toBe('ok');
  });

  it.each([
    ['an issuer that differs', (i: string) => ({ ...goodMetadata(i), issuer: 'https://evil.example' })],
    [
      'a plain-http token endpoint',
      (i: string) => ({ ...goodMetadata(i), token_endpoint: 'http://evil.example/token' }),
    ],
    ['no jwks_uri', (i: string) => ({ ...goodMetadata(i), jwks_uri: undefined })],
    ['no S256 support', (i: string) => ({ ...goodMetadata(i), code_challenge_methods_supported: ['plain'] })],
  ])('refuses %s', async (_label, make) => {
    expect(await failure((i) => ({ status: 200, body: JSON.stringify(make(i)) }))).toBe(
      'OAUTH_PROVIDER_UNAVAILABLE',
    );
  });

  it('requires PKCE S256 to be advertised, unless explicitly assumed', async () => {
    const without = (i: string) => {
      const { code_challenge_methods_supported: _, ...rest } = goodMetadata(i);
      return { status: 200, body: JSON.stringify(rest) };
    };
    expect(await failure(without)).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(await failure(without, undefined, true)).toBe('ok');
    // The opt-in only covers silence: a provider that lists its methods without S256 is still refused.
    const plain = (i: string) => ({
      status: 200,
      body: JSON.stringify({ ...goodMetadata(i), code_challenge_methods_supported: ['plain'] }),
    });
    expect(await failure(plain, undefined, true)).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    const notList = (i: string) => ({
      status: 200,
      body: JSON.stringify({ ...goodMetadata(i), code_challenge_methods_supported: 'S256' }),
    });
    expect(await failure(notList)).toBe('OAUTH_PROVIDER_UNAVAILABLE');
  });

  it('refuses a document served as text/html, or repeating a member (the last "issuer" is not taken)', async () => {
    const good = (i: string) => JSON.stringify(goodMetadata(i));
    expect(await failure((i) => ({ status: 200, body: good(i), contentType: 'text/html' }))).toBe(
      'OAUTH_PROVIDER_UNAVAILABLE',
    );
    expect(
      await failure((i) => ({ status: 200, body: good(i), contentType: 'application/json; charset=utf-8' })),
    ).toBe('ok');
    const twice = (i: string) => `{"issuer":"https://evil.example",${good(i).slice(1)}`;
    expect(await failure((i) => ({ status: 200, body: twice(i) }))).toBe('OAUTH_PROVIDER_UNAVAILABLE');
  });

  it('refuses errors, non-JSON and slow answers', async () => {
    expect(await failure(() => ({ status: 500, body: '{}' }))).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(await failure(() => ({ status: 200, body: '<html>' }))).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(
      await failure((i) => ({ status: 200, body: JSON.stringify(goodMetadata(i)), delayMs: 1000 }), 200),
    ).toBe('OAUTH_PROVIDER_UNAVAILABLE');
  });

  it('refuses unsafe client configuration at construction', () => {
    const base0 = {
      issuer: 'https://id.example.com',
      clientId: 'c',
      redirectUri: 'https://app.example.com/cb',
      scopes: ['openid'],
    };
    for (const bad of [
      { ...base0, issuer: 'http://id.example.com' },
      { ...base0, redirectUri: 'https://app.example.com/cb#x' },
      { ...base0, redirectUri: 'http://app.example.com/cb' },
      { ...base0, scopes: ['profile'] },
      { ...base0, algorithms: ['HS256'] },
      { ...base0, algorithms: ['none'] },
      { ...base0, clientId: '' },
      { ...base0, timeoutMs: 0 },
      { ...base0, dangerouslyAssumePkceSupport: false as unknown as true },
    ]) {
      try {
        createOidcClient(bad);
        expect.unreachable(JSON.stringify(bad));
      } catch (e) {
        expect(isConfigError(e)).toBe(true);
      }
    }
  });
});
