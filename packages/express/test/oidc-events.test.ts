import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { call } from '@bulwark/conformance';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcClient, createOidcLogin, observe, oidcRoutes, type SecurityEvent } from '../src/index.js';
import { closeServer, listen } from './harness.js';

// The OIDC login's own events, its state codec's and its client's reach the sink set on the app with
// observe(app, …), over real HTTP; the provider's discovery document is served on 127.0.0.1.
describe('express: the OIDC login reports to the app sink', () => {
  let idp: Server;
  let issuer = '';
  let down = true;
  beforeAll(async () => {
    idp = createServer((req, res) => {
      if (down || req.url !== '/.well-known/openid-configuration') return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: 'https://id.example.com/authorize',
          token_endpoint: 'https://id.example.com/token',
          jwks_uri: 'https://id.example.com/jwks',
          code_challenge_methods_supported: ['S256'],
        }),
      );
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  });
  afterAll(() => closeServer(idp));

  it('discovery failure, a forged state and a missing transaction reach onEvent, never the secrets', async () => {
    const events: SecurityEvent[] = [];
    const client = createOidcClient({
      issuer,
      clientId: 'web-app',
      clientSecret: 'web-app-secret-0123456789abcdef0123456789',
      redirectUri: 'https://app.example.com/auth/callback',
      scopes: ['openid'],
    });
    const login = createOidcLogin({ client, secret: 'login-secret-for-tests-0123456789abcdef' });
    const app = express();
    observe(app, { onEvent: (e) => events.push(e) });
    const oidc = oidcRoutes({ login, onLogin: (_r, _req, res) => void res.end('in') });
    app.get('/auth/login', oidc.login);
    app.get('/auth/callback', oidc.callback);
    const server = createServer(app);
    const url = await listen(server);
    try {
      expect((await call(url, '/auth/login')).status).toBe(503);
      expect(events.map((e) => [e.type, e.rule])).toEqual([['oauth.discovery_failed', 'oauth']]);
      down = false;
      const started = await call(url, '/auth/login');
      expect(started.status).toBe(302);
      const cookie = String(started.headers['set-cookie']).split(';')[0]!;
      const forged = await call(url, '/auth/callback?code=c&state=forged', { headers: { cookie } });
      expect(forged.status).toBe(400);
      expect((await call(url, '/auth/callback?code=c&state=x')).status).toBe(400);
      expect(events.slice(1).map((e) => [e.type, e.rule, e.code])).toEqual([
        ['oauth.state_rejected', 'oauth', 'OAUTH_STATE_INVALID'],
        ['oauth.login_rejected', 'oauth', 'OAUTH_TRANSACTION_MISSING'],
      ]);
      expect(JSON.stringify(events)).not.toContain(cookie.split('=')[1]);
    } finally {
      down = true;
      await closeServer(server);
    }
  });
});
