import { bearer, jwtSpec, makeTestKeys, mint, type TestKeys } from '@bulwark/conformance';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type JwtClaims, protect, type RateLimiterOptions } from '../src/index.js';

interface OrderClaims extends JwtClaims {
  readonly tenant: string;
}

describe('fetch: typed claims and shared rules', () => {
  let keys: TestKeys;
  beforeAll(async () => {
    keys = await makeTestKeys();
  });

  it('protect<MyClaims> hands the handler claims of that type', async () => {
    const app = protect<OrderClaims>(
      async (_request, { claims }) => {
        expectTypeOf(claims).toEqualTypeOf<OrderClaims | undefined>();
        return Response.json({ tenant: claims?.tenant ?? null });
      },
      { jwt: jwtSpec(keys) },
    );
    const token = await mint(keys, { claims: { tenant: 'acme' } });
    const res = await app(new Request('http://api.test/x', { headers: bearer(token) }), {
      remoteAddress: '192.0.2.1',
    });
    expect(await res.json()).toEqual({ tenant: 'acme' });
  });

  it('two protect() calls given the same rateLimit options object count in the same buckets', async () => {
    const limit: RateLimiterOptions = { rate: '1/min', clientIp: { onEvent: () => {} } };
    const ok = async () => new Response('ok');
    const a = protect(ok, { rateLimit: limit });
    const b = protect(ok, { rateLimit: limit });
    const other = protect(ok, { rateLimit: { ...limit } });
    const client = { remoteAddress: '192.0.2.7' };
    const get = () => new Request('http://api.test/x');
    expect((await a(get(), client)).status).toBe(200);
    expect((await b(get(), client)).status).toBe(429);
    // Equal but distinct options are another limiter, with buckets of its own.
    expect((await other(get(), client)).status).toBe(200);
  });
});
