import { createServer } from 'node:http';
import { createApi } from './api.mjs';
import { createBff } from './bff.mjs';
import { API_AUDIENCE, startProvider } from './provider.mjs';

function listen(server, port = 0) {
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)),
  );
}

/**
 * Start the three parts on 127.0.0.1: the BFF (its URL is needed to register the redirect URI), the
 * provider, and the orders API. Used by server.mjs, the test and the demo tour.
 */
export async function startAll({ port = 0, onEvent } = {}) {
  const bffServer = createServer();
  const baseUrl = await listen(bffServer, port);
  const client = {
    id: 'bff',
    secret: randomSecret(),
    redirectUri: `${baseUrl}/auth/callback`,
    postLogoutRedirectUri: `${baseUrl}/`,
  };
  const idp = await startProvider({ client });
  const apiServer = createServer(createApi({ issuer: idp.issuer, audience: API_AUDIENCE }));
  const apiUrl = await listen(apiServer);
  const app = createBff({
    issuer: idp.issuer,
    clientId: client.id,
    clientSecret: client.secret,
    baseUrl,
    apiUrl,
    loginSecret: randomSecret(),
    postLogoutRedirectUri: client.postLogoutRedirectUri,
    onEvent,
  });
  bffServer.on('request', app);
  const close = (server) =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    baseUrl,
    apiUrl,
    issuer: idp.issuer,
    async close() {
      await Promise.all([close(bffServer), close(apiServer), idp.close()]);
    },
  };
}

function randomSecret() {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}

// Re-exported for the demo tour, which has no dependency on the adapters itself.
export { createRedirectUriMatcher } from '@bulwark/express';
