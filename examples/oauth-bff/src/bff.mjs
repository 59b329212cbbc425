import { randomBytes } from 'node:crypto';
import {
  createOidcClient,
  createOidcLogin,
  oidcRoutes,
  readCookies,
  serializeCookie,
} from '@bulwark/express';
import express from 'express';

/**
 * The backend-for-frontend: the browser only ever holds an opaque session cookie; tokens stay on the
 * server. Login state, nonce and PKCE verifier travel in bulwark's signed transaction cookie.
 */
export function createBff(config) {
  const client = createOidcClient({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: `${config.baseUrl}/auth/callback`,
    scopes: ['openid', 'email', 'orders:read'],
    onEvent: config.onEvent,
  });
  const login = createOidcLogin({ client, secret: config.loginSecret, onEvent: config.onEvent });
  // Sessions in memory for the example; use your session store in production.
  const sessions = new Map();
  const SESSION = '__Host-bff-session';
  const sessionOf = (req) => {
    const [sid] = readCookies(req.headers.cookie, SESSION);
    return sid === undefined ? undefined : sessions.get(sid);
  };

  const oidc = oidcRoutes({
    login,
    postLogoutRedirectUri: config.postLogoutRedirectUri,
    onLogin: (result, _req, res) => {
      const sid = randomBytes(32).toString('base64url');
      sessions.set(sid, { sub: result.claims.sub, tokens: result.tokens });
      res.append('set-cookie', serializeCookie(SESSION, sid, { maxAgeSeconds: 3600 }));
      res.redirect(303, result.returnTo);
    },
    onLogout: (req, res) => {
      const [sid] = readCookies(req.headers.cookie, SESSION);
      const session = sid === undefined ? undefined : sessions.get(sid);
      if (sid !== undefined) sessions.delete(sid);
      res.append('set-cookie', serializeCookie(SESSION, '', { maxAgeSeconds: 0 }));
      return session?.tokens.idToken;
    },
  });

  async function accessToken(session) {
    const { tokens } = session;
    if (tokens.expiresAt === undefined || tokens.expiresAt - Date.now() > 30_000) return tokens.accessToken;
    const refreshed = await client.refresh(tokens.refreshToken, { subject: session.sub });
    if (!refreshed.ok) return undefined;
    session.tokens = { ...tokens, ...refreshed.value.tokens };
    return session.tokens.accessToken;
  }

  const app = express();
  app.disable('x-powered-by');
  app.get('/auth/login', oidc.login);
  app.get('/auth/callback', oidc.callback);
  app.post('/auth/logout', oidc.logout);
  app.get('/me', (req, res) => {
    const session = sessionOf(req);
    if (session === undefined) return res.status(401).json({ loggedIn: false });
    res.json({ loggedIn: true, sub: session.sub });
  });
  // The browser calls the BFF; the BFF calls the API with the user's access token.
  app.get('/orders', async (req, res, next) => {
    try {
      const session = sessionOf(req);
      if (session === undefined) return res.status(401).json({ loggedIn: false });
      const token = await accessToken(session);
      if (token === undefined) return res.status(401).json({ loggedIn: false });
      const api = await fetch(`${config.apiUrl}/orders`, { headers: { authorization: `Bearer ${token}` } });
      res
        .status(api.status)
        .type(api.headers.get('content-type') ?? 'application/json')
        .send(await api.text());
    } catch (err) {
      next(err);
    }
  });
  return app;
}
