import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOidcClient } from './client.js';

// The issuer is never contacted: every case below is refused by the state check, before discovery.
const client = createOidcClient({
  issuer: 'https://id.example.com',
  clientId: 'web',
  redirectUri: 'https://app.example.com/cb',
  scopes: ['openid'],
});
const expected = {
  state: `1.abc.AAAAAAAAAAAAAAAAAAAAAA.${'B'.repeat(43)}`,
  nonce: 'n',
  codeVerifier: 'v'.repeat(43),
};

describe('callback parameter parsing', () => {
  it('refuses any callback whose state is not exactly the expected one (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('state', 'code', 'iss', 'error', 'x'), fc.string({ maxLength: 80 })),
        async (params) => {
          fc.pre(params.state !== expected.state);
          const v = await client.handleCallback(new URLSearchParams(params), expected);
          expect(v.ok ? 'ok' : v.error?.code).toBe('OAUTH_STATE_INVALID');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a duplicated state even when one copy is right', async () => {
    const params = new URLSearchParams([
      ['state', expected.state],
      ['state', expected.state],
      ['code', 'c'],
    ]);
    const v = await client.handleCallback(params, expected);
    expect(v.ok ? 'ok' : v.error?.code).toBe('OAUTH_STATE_INVALID');
    const raw = await client.handleCallback(
      `/cb?code=c&state=${encodeURIComponent(`${expected.state}x`)}`,
      expected,
    );
    expect(raw.ok ? 'ok' : raw.error?.code).toBe('OAUTH_STATE_INVALID');
  });
});

describe('callback without a usable login transaction', () => {
  it('refuses with a typed denial, never a throw, and never matches an empty state', async () => {
    let fetched = 0;
    const counting = createOidcClient({
      issuer: 'https://id.example.com',
      clientId: 'web',
      redirectUri: 'https://app.example.com/cb',
      scopes: ['openid'],
      fetch: async () => {
        fetched++;
        throw new Error('the provider must not be contacted');
      },
    });
    // What an app passes when its session has no transaction: `{}`, blanks, or nothing at all.
    const missing: unknown[] = [
      undefined,
      null,
      {},
      { state: '', nonce: '', codeVerifier: '' },
      { state: '', nonce: 'n', codeVerifier: 'v'.repeat(43) },
      { ...expected, nonce: '' },
      { ...expected, codeVerifier: undefined },
      { ...expected, state: 5 },
    ];
    for (const tx of missing) {
      for (const callback of [
        '/cb?state=&code=c',
        `/cb?state=${encodeURIComponent(expected.state)}&code=c`,
      ]) {
        const v = await counting.handleCallback(callback, tx as typeof expected);
        expect({ tx, code: v.ok ? 'ok' : v.error?.code }).toEqual({ tx, code: 'OAUTH_STATE_INVALID' });
      }
    }
    expect(fetched).toBe(0);
  });
});
