import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { SPENT_3_PER_MIN, type StoreSide, syncPathSides } from '@bulwark/conformance';
import type { RateLimiterOptions } from '@bulwark/core';
import { protect } from '../src/index.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'https://api.test';
let privateKey: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
});

async function tokenFor(sub: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

const jwt = () => ({ algorithms: ['ES256' as const], issuer: ISSUER, audience: AUDIENCE, keys: [publicJwk] });
const ok = async (): Promise<Response> => Response.json({ ok: true });
const get = (token: string): Request =>
  new Request('http://api.test/orders', { headers: { authorization: `Bearer ${token}` } });
const code = async (res: Response): Promise<string> => ((await res.json()) as { code: string }).code;

describe('fetch protect(): rate limiting and authentication', () => {
  it('counts requests the JWT rule refuses: a bad-token flood from one IP ends in 429', async () => {
    const handler = protect(ok, {
      jwt: jwt(),
      rateLimit: { name: 'flood', rate: '3/min', clientIp: { onEvent: () => {} } },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await handler(get(`bad.token.${i}`), { remoteAddress: '203.0.113.5' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    const limited = await handler(get('x.y.z'), { remoteAddress: '203.0.113.5' });
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await code(limited)).toBe('RATELIMIT_EXCEEDED');
    // a valid token from the same address is limited too: the IP bucket is spent
    expect((await handler(get(await tokenFor('alice')), { remoteAddress: '203.0.113.5' })).status).toBe(429);
    // another address is untouched
    expect((await handler(get(await tokenFor('alice')), { remoteAddress: '203.0.113.6' })).status).toBe(200);
  });

  it('an IP-only limiter runs before the JWT rule: over the limit, no token is verified', async () => {
    const rejected: string[] = [];
    const handler = protect(ok, {
      jwt: { ...jwt(), onEvent: (e) => rejected.push(e.code ?? e.type) },
      rateLimit: { name: 'early', rate: '2/min', clientIp: { onEvent: () => {} } },
    });
    const at = { remoteAddress: '203.0.113.9' };
    const first = await handler(get('bad.token.1'), at);
    // Counted before the token was looked at; the refusal still carries the limiter's fields.
    expect([first.status, first.headers.get('ratelimit')]).toEqual([401, expect.stringMatching(/r=1/)]);
    expect((await handler(get(await tokenFor('alice')), at)).status).toBe(200);
    expect(rejected).toEqual(['JWT_MALFORMED']);
    for (const token of ['bad.token.2', 'x.y.z', await tokenFor('alice')]) {
      const res = await handler(get(token), at);
      expect([res.status, await code(res)]).toEqual([429, 'RATELIMIT_EXCEEDED']);
    }
    // The JWT rule never saw the requests over the limit.
    expect(rejected).toEqual(['JWT_MALFORMED']);
  });

  it('with per-token buckets: refused tokens charge only the IP bucket; verified ones stay all-or-nothing', async () => {
    const handler = protect(ok, {
      jwt: jwt(),
      rateLimit: {
        name: 'mixed',
        buckets: [
          { name: 'ip', rate: '4/min' },
          { name: 'user', key: 'subject', rate: '1/min' },
        ],
      },
    });
    const at = { remoteAddress: '198.51.100.7' };
    const alice = await tokenFor('alice');
    expect((await handler(get(alice), at)).status).toBe(200);
    const userFull = await handler(get(alice), at);
    expect(userFull.status).toBe(429);
    // the per-user denial did not charge the shared IP bucket
    expect(userFull.headers.get('ratelimit')).toMatch(/^"ip";r=3;t=\d+, "user";r=0;t=\d+$/);
    const refused = await handler(get('not-a-jwt'), at);
    expect(refused.status).toBe(401);
    expect(await code(refused)).not.toBe('RATELIMIT_EXCEEDED');
    expect(refused.headers.get('ratelimit')).toMatch(/^"ip";r=2;t=\d+$/);
    expect((await handler(get('not-a-jwt'), at)).status).toBe(401);
    expect((await handler(get(await tokenFor('bob')), at)).status).toBe(200);
    // the IP bucket is spent (alice, two refused tokens, bob): refused and verified tokens alike get 429
    expect((await handler(get('not-a-jwt'), at)).status).toBe(429);
    expect((await handler(get(await tokenFor('carol')), at)).status).toBe(429);
  });

  it('a request without any token is counted as well', async () => {
    const handler = protect(ok, { jwt: jwt(), rateLimit: { name: 'anon', rate: '1/min' } });
    const at = { remoteAddress: '192.0.2.44' };
    expect((await handler(new Request('http://api.test/orders'), at)).status).toBe(401);
    expect((await handler(new Request('http://api.test/orders'), at)).status).toBe(429);
  });
});

// On the memory store the rate-limit stage decides synchronously (protect() does not await it); a network
// store's answer is awaited. Both must answer every request alike, before and after the JWT rule.
describe('fetch protect(): the memory store (synchronous stage) answers as a promise-only store does', () => {
  it('every status, header and body alike, IP-only (before jwt) and per-subject (after jwt) limiters', async () => {
    const sides = syncPathSides();
    const build = (side: StoreSide) => {
      const limiter = (options: RateLimiterOptions) => sides.limiter(side, options);
      return {
        early: protect(ok, { jwt: jwt(), rateLimit: limiter({ name: 'early', rate: '3/min' }) }),
        user: protect(ok, {
          jwt: jwt(),
          rateLimit: limiter({
            name: 'user',
            buckets: [
              { name: 'ip', rate: '5/min' },
              { name: 'user', key: 'subject', rate: '2/min' },
            ],
          }),
        }),
      };
    };
    const sync = build('memory');
    const promised = build('promised');
    const alice = await tokenFor('alice');
    const steps: [keyof typeof sync, string][] = [
      ['early', alice],
      ['early', 'bad.token.1'],
      ['early', alice],
      ['early', alice],
      ['early', 'bad.token.2'],
      ['user', alice],
      ['user', 'bad.token.3'],
      ['user', alice],
      ['user', alice],
      ['user', await tokenFor('bob')],
      ['user', 'bad.token.4'],
    ];
    const run = async (app: typeof sync) => {
      const out = [];
      for (const [route, token] of steps) {
        const res = await app[route](get(token), { remoteAddress: '203.0.113.7' });
        out.push({ route, status: res.status, headers: [...res.headers], body: await res.text() });
      }
      return out;
    };
    const a = await sides.same((side) => run(side === 'memory' ? sync : promised));
    expect(a.map((r) => r.status)).toEqual([200, 401, 200, 429, 429, 200, 401, 200, 429, 200, 401]);
    expect(Object.fromEntries(a[3]!.headers)).toMatchObject(SPENT_3_PER_MIN);
    sides.advance(60_000);
    expect((await sync.early(get(alice), { remoteAddress: '203.0.113.7' })).status).toBe(200);
  });
});
