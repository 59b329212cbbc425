import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIENCE, ISSUER, type KeyPair, keyPair, token } from '../../test/jwt-fixtures.js';
import type { SecurityEvent } from '../events.js';
import { cryptoBackend } from './crypto-backend.js';
import { importKeySet } from './keyset.js';
import { createJwtVerifier } from './verifier.js';

// The verified-token cache must never outlive the key that verified an entry: a key withdrawn from the
// JWKS (compromised, rotated out) has to stop every token it signed, cached or not.

const NOW = Math.floor(Date.now() / 1000);
const code = (v: { ok: boolean; error?: { code: string } | undefined }) => (v.ok ? null : v.error!.code);

let base = '';
let published: JWK[] = [];
let close: () => Promise<void>;
beforeAll(async () => {
  const server = createServer((req, res) => {
    if (req.url?.endsWith('/.well-known/openid-configuration')) {
      const issuer = `${base}${req.url.slice(0, -'/.well-known/openid-configuration'.length)}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
});
afterAll(() => close());

type Shape = 'jwksUri' | 'issuers[].jwksUri' | 'issuers[].discovery';
const SHAPES: Shape[] = ['jwksUri', 'issuers[].jwksUri', 'issuers[].discovery'];

/** A verifier with the cache on, keys refreshed after 60 s, whose issuer (and JWKS path) is unique. */
function setup(shape: Shape) {
  const clock = { ms: NOW * 1000 };
  const events: SecurityEvent[] = [];
  const path = `/t/${crypto.randomUUID()}`;
  const iss = shape === 'jwksUri' ? ISSUER : `${base}${path}`;
  const common = {
    algorithms: ['RS256'] as const,
    audience: AUDIENCE,
    jwks: { cacheMaxAgeMs: 60_000, cooldownMs: 1_000 },
    cache: true as const,
    now: () => clock.ms,
    onEvent: (e: SecurityEvent) => events.push(e),
  };
  const verifier =
    shape === 'jwksUri'
      ? createJwtVerifier({ ...common, issuer: ISSUER, jwksUri: `${base}${path}/jwks` })
      : createJwtVerifier({
          ...common,
          issuers: [
            shape === 'issuers[].jwksUri'
              ? { issuer: iss, jwksUri: `${base}${path}/jwks` }
              : { issuer: iss, discovery: true },
          ],
        });
  const refreshes = () => events.filter((e) => e.type === 'jwt.jwks_refreshed').length;
  // Until the background refresh is done, on a deadline far beyond a local fetch on a loaded machine (it
  // was 300 polls of 10 ms: 3 s).
  const refreshed = (count: number) =>
    vi.waitFor(() => expect(refreshes()).toBeGreaterThanOrEqual(count), { timeout: 15_000, interval: 10 });
  return { verifier, clock, iss, refreshed };
}

describe('verified-token cache and key withdrawal', () => {
  let k1: KeyPair;
  let k2: KeyPair;
  beforeAll(() => {
    k1 = keyPair('RS256', 'k1');
    k2 = keyPair('RS256', 'k2');
  });

  it.each(SHAPES)('a key leaving the set drops the cached tokens it verified (%s)', async (shape) => {
    published = [k1.publicJwk, k2.publicJwk];
    const { verifier, clock, iss, refreshed } = setup(shape);
    const old = token(k1, NOW, { iss });
    expect(code(await verifier.verifyToken(old))).toBe(null); // verified and cached until NOW + 300
    expect(code(await verifier.verifyToken(old))).toBe(null); // from the cache
    // k1 is withdrawn; after the keys go stale, other traffic triggers the refresh that learns it.
    published = [k2.publicJwk];
    clock.ms += 61_000;
    expect(code(await verifier.verifyToken(token(k2, NOW + 61, { iss })))).toBe(null);
    await refreshed(2);
    expect(code(await verifier.verifyToken(old))).toBe('JWT_KEY_NOT_FOUND');
    expect(code(await verifier.verifyToken(token(k2, NOW + 61, { iss })))).toBe(null);
  });

  it('a cache hit alone notices stale keys, so withdrawal is learnt with no other traffic', async () => {
    published = [k1.publicJwk];
    const { verifier, clock, iss, refreshed } = setup('jwksUri');
    const old = token(k1, NOW, { iss });
    expect(code(await verifier.verifyToken(old))).toBe(null);
    published = [k2.publicJwk];
    clock.ms += 61_000;
    // Stale-while-revalidate, as for an uncached token: this answer still comes from the keys at hand…
    expect(code(await verifier.verifyToken(old))).toBe(null);
    await refreshed(2);
    // …and once the refresh has landed the withdrawn key's tokens fail, cached or not.
    expect(code(await verifier.verifyToken(old))).toBe('JWT_KEY_NOT_FOUND');
  });

  it('a kid re-published with other key material drops what the old material verified', async () => {
    published = [k1.publicJwk];
    const { verifier, clock, iss, refreshed } = setup('jwksUri');
    const old = token(k1, NOW, { iss });
    expect(code(await verifier.verifyToken(old))).toBe(null);
    const replacement = keyPair('RS256', 'k1');
    published = [replacement.publicJwk];
    clock.ms += 61_000;
    // Answered from the stale set (old material under k1), which starts the refresh.
    await verifier.verifyToken(token(replacement, NOW + 61, { iss }));
    await refreshed(2);
    expect(code(await verifier.verifyToken(token(replacement, NOW + 61, { iss })))).toBe(null);
    expect(code(await verifier.verifyToken(old))).toBe('JWT_SIGNATURE_INVALID');
  });

  it('a cache hit reads the clock once, for its entry and for its JWKS alike', async () => {
    published = [k1.publicJwk];
    let reads = 0;
    const verifier = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: `${base}/t/${crypto.randomUUID()}/jwks`,
      cache: true,
      now: () => {
        reads++;
        return NOW * 1000;
      },
    });
    const t = token(k1, NOW);
    expect(code(await verifier.verifyToken(t))).toBe(null);
    reads = 0;
    expect(code(await verifier.verifyToken(t))).toBe(null);
    expect(reads).toBe(1);
  });

  it('a refresh keeps the keys that are still published (same key, same entry), so their cache holds', async () => {
    const first = await importKeySet([k1.publicJwk, k2.publicJwk], ['RS256'], cryptoBackend, () => {});
    const again = await importKeySet(
      [{ ...k2.publicJwk }, keyPair('RS256', 'k1').publicJwk],
      ['RS256'],
      cryptoBackend,
      () => {},
      first,
    );
    const before = { k1: first.find('k1', 'RS256'), k2: first.find('k2', 'RS256') };
    expect(again.find('k2', 'RS256')).toBe(before.k2);
    expect(again.has(before.k2 as never)).toBe(true);
    expect(again.find('k1', 'RS256')).not.toBe(before.k1);
    expect(again.has(before.k1 as never)).toBe(false);
  });
});
