import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DpopServer, startDpopServer } from '../../test/dpop-server.js';

// Proofs made by oauth4webapi's DPoP support (an implementation nobody here wrote), sent over real HTTP to
// a resource server running our verifier.

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const SECRET = 'dpop-nonce-secret-0123456789abcdef0123';
const client: oauth.Client = { client_id: 'interop' };
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let jkt = '';
let plain: DpopServer;
let nonced: DpopServer;
beforeAll(async () => {
  const algorithms = ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'] as const;
  plain = await startDpopServer({ algorithms }, () => jkt);
  nonced = await startDpopServer({ algorithms, nonce: { secret: SECRET } }, () => jkt);
});
afterAll(async () => {
  await plain?.close();
  await nonced?.close();
});

/** oauth4webapi's request with its DPoP handle; a WWW-Authenticate challenge rejects. */
function call(base: string, DPoP: oauth.DPoPHandle, path = '/orders?page=1', method = 'GET', token = TOKEN) {
  return oauth.protectedResourceRequest(token, method, new URL(path, base), new Headers(), null, {
    DPoP,
    ...insecure,
  });
}

async function challenged(p: Promise<Response>): Promise<oauth.WWWAuthenticateChallenge[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof oauth.WWWAuthenticateChallengeError) return err.cause;
    throw err;
  }
  throw new Error('expected a challenge');
}

describe('proofs made by oauth4webapi', () => {
  it.each(['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'])(
    'are accepted for a %s key',
    async (alg) => {
      const keyPair = await oauth.generateKeyPair(alg);
      const DPoP = oauth.DPoP(client, keyPair);
      jkt = await DPoP.calculateThumbprint();
      const res = await call(plain.base, DPoP, '/orders?page=1', 'POST');
      expect(res.status).toBe(200);
      expect(plain.seen.at(-1)!.code).toBe('ok');
    },
  );

  it('are refused when replayed, and oauth4webapi parses our challenge', async () => {
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    jkt = await DPoP.calculateThumbprint();
    expect((await call(plain.base, DPoP)).status).toBe(200);
    const replayed = plain.seen.at(-1)!.proof;
    const res = await fetch(`${plain.base}/orders`, {
      headers: { authorization: `DPoP ${TOKEN}`, dpop: replayed },
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('DPOP_PROOF_REPLAYED');
    const header = res.headers.get('www-authenticate')!;
    // The same answer given to oauth4webapi: a token for another key is refused with a parsed challenge.
    const other = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const challenges = await challenged(call(plain.base, other));
    expect(challenges).toEqual([
      {
        scheme: 'dpop',
        parameters: { error: 'invalid_token', algs: 'ES256 ES384 EdDSA Ed25519 PS256 RS256' },
      },
      { scheme: 'bearer', parameters: {} },
    ]);
    expect(header).toBe(
      'DPoP error="invalid_dpop_proof", algs="ES256 ES384 EdDSA Ed25519 PS256 RS256", Bearer',
    );
  });

  it('with server nonces: oauth4webapi sees use_dpop_nonce, keeps the nonce, and its retry is accepted', async () => {
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    jkt = await DPoP.calculateThumbprint();
    let error: unknown;
    try {
      await call(nonced.base, DPoP);
    } catch (err) {
      error = err;
    }
    expect(oauth.isDPoPNonceError(error)).toBe(true);
    expect(nonced.seen.at(-1)!.code).toBe('DPOP_NONCE_REQUIRED');
    expect((await call(nonced.base, DPoP, '/orders', 'DELETE')).status).toBe(200);
    expect((await call(nonced.base, DPoP, '/orders/2', 'PUT')).status).toBe(200);
    expect(nonced.seen.slice(-3).map((s) => s.code)).toEqual(['DPOP_NONCE_REQUIRED', 'ok', 'ok']);
  });

  it('for another URL, method or token are refused', async () => {
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    jkt = await DPoP.calculateThumbprint();
    expect((await call(plain.base, DPoP, '/a')).status).toBe(200);
    const proof = plain.seen.at(-1)!.proof;
    const send = (path: string, method: string, token = TOKEN) =>
      fetch(`${plain.base}${path}`, {
        method,
        headers: { authorization: `DPoP ${token}`, dpop: proof },
      }).then((r) => r.text());
    expect(await send('/b', 'GET')).toBe('DPOP_HTU_MISMATCH');
    expect(await send('/a', 'POST')).toBe('DPOP_HTM_MISMATCH');
    expect(await send('/a', 'GET', `${TOKEN}x`)).toBe('DPOP_ATH_MISMATCH');
  });
});
