/// <reference path="../../conformance/src/oidc-provider-module.d.ts" />
// DPoP end to end with implementations nobody here wrote: oidc-provider (its features.dPoP) issues a
// DPoP-bound JWT access token to a client whose proofs oauth4webapi makes, and the client calls an express
// route protected by requireJwt with the provider's JWKS and dpop: 'required'.
import { createServer, type Server } from 'node:http';
import express from 'express';
import { exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, requireJwt } from '../src/index.js';
import { closeServer, listen } from './harness.js';

const API = 'https://api.dpop.test';
const CLIENT = { client_id: 'dpop-client', client_secret: 'dpop-client-secret-0123456789abcdef0123' };
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let idpServer: Server;
let apiServer: Server;
let issuer: string;
let api: string;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  idpServer = createServer();
  issuer = await listen(idpServer);
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [
      {
        ...CLIENT,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'idp-es256', alg: 'ES256', use: 'sig' }] },
    features: {
      dPoP: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'orders:read',
          audience: API,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  idpServer.on('request', provider.callback());
  as = await oauth.processDiscoveryResponse(
    new URL(issuer),
    await oauth.discoveryRequest(new URL(issuer), insecure),
  );

  // The API: its external URL is its loopback address here, known once it listens (configuration, not Host).
  apiServer = createServer();
  api = await listen(apiServer);
  const jwt = createJwtVerifier({
    algorithms: ['ES256'],
    issuer,
    audience: API,
    jwksUri: as.jwks_uri!,
    typ: 'at+jwt',
    jwks: { fetch: (input, init) => fetch(input, init) },
    dpop: { externalUrl: api, nonce: { secret: 'dpop-nonce-secret-0123456789abcdefghijklmn' } },
  });
  const app = express();
  app.get('/orders', requireJwt(jwt, { dpop: 'required', scopes: ['orders:read'] }), (req, res) => {
    res.json({ sub: req.auth?.sub, jkt: req.dpop?.jkt });
  });
  app.get('/profile', requireJwt(jwt, { dpop: 'allowed' }), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  apiServer.on('request', app);
});
afterAll(async () => {
  await closeServer(apiServer);
  await closeServer(idpServer);
});

/** A token from oidc-provider's token endpoint, bound to `dpop`'s key (oauth4webapi retries its nonce). */
async function boundToken(dpop: oauth.DPoPHandle): Promise<string> {
  const grant = () =>
    oauth.clientCredentialsGrantRequest(
      as,
      { client_id: CLIENT.client_id },
      oauth.ClientSecretBasic(CLIENT.client_secret),
      new URLSearchParams({ scope: 'orders:read', resource: API }),
      { DPoP: dpop, ...insecure },
    );
  let response = await grant();
  try {
    const result = await oauth.processClientCredentialsResponse(
      as,
      { client_id: CLIENT.client_id },
      response,
    );
    return result.access_token;
  } catch (err) {
    if (!oauth.isDPoPNonceError(err)) {
      const e = err as { error?: string; error_description?: string };
      throw new Error(`token request refused: ${e.error} ${e.error_description}`);
    }
    response = await grant();
    return (await oauth.processClientCredentialsResponse(as, { client_id: CLIENT.client_id }, response))
      .access_token;
  }
}

/** oauth4webapi's protected-resource request, retried once when our server asks for its nonce. */
async function callApi(token: string, dpop: oauth.DPoPHandle, path = '/orders'): Promise<Response> {
  const send = () =>
    oauth.protectedResourceRequest(token, 'GET', new URL(path, api), new Headers(), null, {
      DPoP: dpop,
      ...insecure,
    });
  try {
    return await send();
  } catch (err) {
    if (!oauth.isDPoPNonceError(err)) throw err;
    return send();
  }
}

describe('DPoP end to end: oidc-provider tokens, oauth4webapi proofs, an express route', () => {
  it('a token bound by the provider to the client key is accepted with the client’s proofs', async () => {
    const keys = await oauth.generateKeyPair('ES256');
    const dpop = oauth.DPoP({}, keys);
    const token = await boundToken(dpop);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      cnf?: { jkt?: string };
    };
    expect(claims.cnf?.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await callApi(token, dpop);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: CLIENT.client_id, jkt: claims.cnf!.jkt });
    // Several requests, each with a fresh proof (and the nonce the API handed out).
    for (let i = 0; i < 3; i++) expect((await callApi(token, dpop)).status).toBe(200);
  });

  it('the same token without its key is refused: as Bearer, and with another key’s proofs', async () => {
    const dpop = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const token = await boundToken(dpop);
    for (const path of ['/orders', '/profile']) {
      const asBearer = await fetch(new URL(path, api), { headers: { authorization: `Bearer ${token}` } });
      expect(asBearer.status).toBe(401);
      const body = (await asBearer.json()) as { code: string };
      expect(body.code).toBe(path === '/orders' ? 'DPOP_REQUIRED' : 'DPOP_BOUND_TOKEN_AS_BEARER');
    }
    const thief = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const challenge = await callApi(token, thief).then(
      () => undefined,
      (err: unknown) => (err instanceof oauth.WWWAuthenticateChallengeError ? err.cause : undefined),
    );
    expect(challenge?.[0]?.scheme).toBe('dpop');
    expect(challenge?.[0]?.parameters.error).toBe('invalid_token');
  });
});
