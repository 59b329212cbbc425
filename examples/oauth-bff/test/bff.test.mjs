import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAll } from '../src/start.mjs';
import { createBrowser } from './browser.mjs';

let running;
beforeAll(async () => {
  running = await startAll();
});
afterAll(() => running?.close());

describe('oauth-bff example', () => {
  it('logs in against the provider, then calls the API with the access token', async () => {
    const browser = createBrowser();
    const before = await browser.go(`${running.baseUrl}/me`);
    expect(before.status).toBe(401);
    const after = await browser.go(`${running.baseUrl}/auth/login?returnTo=/orders`, { account: 'alice' });
    expect(after.url).toBe(`${running.baseUrl}/orders`);
    expect(after.status).toBe(200);
    const body = JSON.parse(after.text);
    expect(body.user).toBe('alice');
    expect(body.scope).toContain('orders:read');
    // The browser holds only the session cookie; the transaction cookie is gone.
    const jar = browser.jarOf(running.baseUrl);
    expect([...jar.keys()]).toEqual(['__Host-bff-session']);
  });

  it('the API refuses calls without the access token', async () => {
    const res = await fetch(`${running.apiUrl}/orders`);
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('JWT_MISSING');
  });

  it('logs out: session cookie cleared, then to the provider logout page', async () => {
    const browser = createBrowser();
    await browser.go(`${running.baseUrl}/auth/login?returnTo=/me`, { account: 'bob' });
    const out = await browser.go(`${running.baseUrl}/auth/logout`, {
      method: 'POST',
      stopAt: running.issuer,
    });
    expect(out.url.startsWith(`${running.issuer}/session/end`)).toBe(true);
    expect((await browser.go(`${running.baseUrl}/me`)).status).toBe(401);
  });
});
