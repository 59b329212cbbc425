import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DpopServer, startDpopServer } from '../../test/dpop-server.js';
import { createDpopClient } from './client.js';
import { jwkThumbprint } from './jwk.js';

const TOKEN = 'header.payload.signature';
const SECRET = 'dpop-nonce-secret-0123456789abcdef0123';

const client = createDpopClient();
let jkt = '';
let plain: DpopServer;
let nonced: DpopServer;
beforeAll(async () => {
  jkt = await client.thumbprint();
  plain = await startDpopServer({}, () => jkt);
  nonced = await startDpopServer({ nonce: { secret: SECRET } }, () => jkt);
});
afterAll(async () => {
  await plain?.close();
  await nonced?.close();
});

describe('createDpopClient', () => {
  it('signs a fresh proof per request, which the verifier accepts', async () => {
    const a = await client.fetch(`${plain.base}/orders?page=1`, { accessToken: TOKEN });
    const b = await client.fetch(`${plain.base}/orders?page=2`, { accessToken: TOKEN, method: 'post' });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(plain.seen[0]!.proof).not.toBe(plain.seen[1]!.proof);
    expect(await client.thumbprint()).toBe(await jwkThumbprint((await client.publicJwk()) as never));
    expect(Object.keys(await client.publicJwk()).sort()).toEqual(['crv', 'kty', 'x', 'y']);
  });

  it('learns a server nonce from use_dpop_nonce, retries once, then sends it from the start', async () => {
    const first = await client.fetch(`${nonced.base}/orders`, {
      accessToken: TOKEN,
      body: 'x',
      method: 'POST',
    });
    expect(first.status).toBe(200);
    expect(nonced.seen.map((s) => s.code)).toEqual(['DPOP_NONCE_REQUIRED', 'ok']);
    const second = await client.fetch(`${nonced.base}/orders`, { accessToken: TOKEN });
    expect(second.status).toBe(200);
    expect(nonced.seen.map((s) => s.code)).toEqual(['DPOP_NONCE_REQUIRED', 'ok', 'ok']);
  });

  it('does not resend a streamed body, and gives up after one retry', async () => {
    const fresh = createDpopClient();
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('x'));
        c.close();
      },
    });
    const before = nonced.seen.length;
    jkt = await fresh.thumbprint();
    const res = await fresh.fetch(`${nonced.base}/upload`, {
      accessToken: TOKEN,
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as never);
    expect(res.status).toBe(401);
    expect(nonced.seen.slice(before).map((s) => s.code)).toEqual(['DPOP_NONCE_REQUIRED']);
    jkt = await client.thumbprint();
    // Refused for another reason than the nonce (a key the token is not bound to): no retry.
    const other = createDpopClient();
    const again = await other.fetch(`${nonced.base}/orders`, { accessToken: TOKEN });
    expect(again.status).toBe(401);
    expect(nonced.seen.slice(before).map((s) => s.code)).toEqual([
      'DPOP_NONCE_REQUIRED',
      'DPOP_KEY_MISMATCH',
    ]);
  });

  it('retries a use_dpop_nonce answer once only, against a server that always asks for a new nonce', async () => {
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      res.writeHead(401, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': `n${calls}` });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await client.fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        accessToken: TOKEN,
      });
      expect([res.status, calls]).toEqual([401, 2]);
    } finally {
      server.close();
    }
  });

  it('signs with a given key pair and infers its algorithm', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const ed = createDpopClient({ keyPair: pair });
    expect(ed.algorithm).toBe('EdDSA');
    jkt = await ed.thumbprint();
    expect((await ed.fetch(`${plain.base}/me`, { accessToken: TOKEN })).status).toBe(200);
    jkt = await client.thumbprint();
  });
});
