import {
  AUDIENCE,
  DPOP_EXTERNAL_URL,
  ISSUER,
  makeDpopKey,
  makeTestKeys,
  mint,
  signProof,
  type TestKeys,
} from '@bulwark/conformance';
import {
  createJwtAuthorizer,
  createJwtVerifier,
  createStateCodec,
  type RequestLike,
  type Verdict,
} from '@bulwark/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisReplayStore, createRedisRevocationStore } from '../src/index.js';
import { connect, runPrefix } from './redis-url.js';

// Two "instances": each its own connection, stores and rules, sharing only the Redis server.
const prefix = runPrefix('shared');
const SECRET = 'state-secret-0123456789-abcdefghijklmnop';
let clients: Redis[] = [];
let keys: TestKeys;

const code = (v: Verdict<unknown>) => (v.ok ? 'ok' : v.error?.code);

beforeAll(async () => {
  clients = [await connect(), await connect()];
  keys = await makeTestKeys();
});
afterAll(async () => {
  const found = await clients[0]!.keys(`*${prefix}*`);
  if (found.length > 0) await clients[0]!.del(...found);
  await Promise.all(clients.map((c) => c.quit()));
});

describe('rules sharing Redis stores across instances', () => {
  it('OAuth state: a state used on both instances at once is accepted once', async () => {
    const [a, b] = clients.map((client) =>
      createStateCodec({ secret: SECRET, replayStore: createRedisReplayStore({ client, prefix }) }),
    );
    const state = await a!.issue('session-1');
    const results = (await Promise.all([a!.consume(state, 'session-1'), b!.consume(state, 'session-1')])).map(
      code,
    );
    expect(results.sort()).toEqual(['OAUTH_STATE_REPLAYED', 'ok']);
  });

  it('JWT revocation: a token revoked on one instance is refused on the other', async () => {
    const [a, b] = clients.map((client) =>
      createJwtVerifier({
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: [keys.rsa.publicJwk],
        revocation: createRedisRevocationStore({ client, prefix }),
      }),
    );
    const token = await mint(keys);
    const verified = await a!.verifyToken(token);
    if (!verified.ok) throw new Error(`token refused: ${verified.error?.code}`);
    expect(code(await b!.verifyToken(token))).toBe('ok');
    await a!.revoke(verified.value);
    expect(code(await b!.verifyToken(token))).toBe('JWT_REVOKED');
    expect(code(await b!.verifyToken(await mint(keys)))).toBe('ok');
  });

  it('DPoP: a proof accepted by one instance is refused by the other, and a store outage is a 503', async () => {
    const [a, b] = clients.map((client) =>
      createJwtVerifier({
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: [keys.rsa.publicJwk],
        dpop: { externalUrl: DPOP_EXTERNAL_URL, replay: createRedisReplayStore({ client, prefix }) },
      }),
    );
    const key = makeDpopKey();
    const token = await mint(keys, { claims: { cnf: { jkt: key.jkt } } });
    const route = createJwtAuthorizer({ dpop: 'required' });
    const request = (proof: string): RequestLike => ({
      method: 'GET',
      url: '/orders',
      header: (name) => (name === 'authorization' ? `DPoP ${token}` : name === 'dpop' ? proof : undefined),
    });
    const proof = signProof(key, { method: 'GET', url: `${DPOP_EXTERNAL_URL}/orders`, token });
    expect(code(await a!.check(request(proof), route))).toBe('ok');
    expect(code(await b!.check(request(proof), route))).toBe('DPOP_PROOF_REPLAYED');
    // Both at once: exactly one wins.
    const fresh = signProof(key, { method: 'GET', url: `${DPOP_EXTERNAL_URL}/orders`, token });
    const both = await Promise.all([a!.check(request(fresh), route), b!.check(request(fresh), route)]);
    expect(both.map(code).sort()).toEqual(['DPOP_PROOF_REPLAYED', 'ok']);
    // A store that cannot answer is not "never seen": fail closed.
    const down = await connect();
    const c = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [keys.rsa.publicJwk],
      dpop: { externalUrl: DPOP_EXTERNAL_URL, replay: createRedisReplayStore({ client: down, prefix }) },
    });
    await down.quit();
    const verdict = await c.check(
      request(signProof(key, { method: 'GET', url: `${DPOP_EXTERNAL_URL}/orders`, token })),
      route,
    );
    expect(code(verdict)).toBe('DPOP_REPLAY_UNAVAILABLE');
    expect(!verdict.ok && verdict.reply.status).toBe(503);
  });
});
