import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { createOidcClient } from './client.js';
import { createOidcLogin, type OidcLoginOptions } from './login.js';

const client = createOidcClient({
  issuer: 'https://id.example.com',
  clientId: 'web',
  redirectUri: 'https://app.example.com/cb',
  scopes: ['openid'],
});
const secret = 'login-secret-for-tests-0123456789abcdef';

describe('createOidcLogin configuration', () => {
  it.each([
    ['no client', { secret } as unknown as OidcLoginOptions],
    ['a short secret', { client, secret: 'short' }],
    ['a day-long login', { client, secret, maxAgeMs: 86_400_000 }],
    ['an invalid cookie name', { client, secret, cookieName: 'a b' }],
    [
      'a __Host- cookie without Secure',
      { client, secret, cookieName: '__Host-x', dangerouslyAllowInsecureCookie: true },
    ],
  ] as const)('refuses %s', (_label, options) => {
    try {
      createOidcLogin(options as OidcLoginOptions);
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
    }
  });

  it('uses a __Host- Secure cookie by default, a plain one only with the loud opt-in', () => {
    expect(createOidcLogin({ client, secret }).clearCookie).toBe(
      '__Host-bulwark-login=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax',
    );
    const dev = createOidcLogin({ client, secret, dangerouslyAllowInsecureCookie: true });
    expect(dev.cookieName).toBe('bulwark-login');
    expect(dev.clearCookie).not.toContain('Secure');
  });
});
