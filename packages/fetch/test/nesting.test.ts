import { bearer, jwtSpec, makeTestKeys, mint, type TestKeys } from '@bulwark/conformance';
import { beforeAll, describe, expect, it } from 'vitest';
import { protect } from '../src/index.js';

// protect() around a protect()ed handler (a router-wide policy around a route's own): both policies hold,
// and the inner one sees the same client (address, certificate) and what the outer one established.
describe('fetch: nested protect()', () => {
  let keys: TestKeys;
  beforeAll(async () => {
    keys = await makeTestKeys();
  });

  const echo = protect(async (_request, context) => Response.json({ sub: context.claims?.sub ?? null }), {
    rateLimit: { name: 'inner', rate: '1/min', clientIp: { onEvent: () => {} } },
  });

  it('the inner rules see the client address the runtime gave the outer one', async () => {
    const app = protect(echo, { jwt: jwtSpec(keys) });
    const token = await mint(keys);
    const request = () => new Request('http://api.test/x', { headers: bearer(token) });
    expect((await app(request(), { remoteAddress: '192.0.2.1' })).status).toBe(200);
    // Another client has its own bucket: the inner limiter must not lump every client together.
    const other = await app(request(), { remoteAddress: '192.0.2.2' });
    expect(other.status).toBe(200);
    expect(await other.json()).toEqual({ sub: 'user-123' });
    expect((await app(request(), { remoteAddress: '192.0.2.1' })).status).toBe(429);
  });

  it('an outer JWT scope holds under an inner bare JWT rule, and the inner one under the outer', async () => {
    const inner = protect(async () => Response.json({ ok: true }), { jwt: jwtSpec(keys) });
    const app = protect(inner, { jwt: { verifier: jwtSpec(keys), scopes: ['admin'] } });
    const reverse = protect(
      protect(async () => Response.json({ ok: true }), {
        jwt: { verifier: jwtSpec(keys), scopes: ['admin'] },
      }),
      { jwt: jwtSpec(keys) },
    );
    for (const handler of [app, reverse]) {
      const plain = new Request('http://api.test/x', { headers: bearer(await mint(keys)) });
      expect((await handler(plain, { remoteAddress: '192.0.2.9' })).status).toBe(403);
      const admin = await mint(keys, { claims: { scope: 'admin' } });
      const granted = new Request('http://api.test/x', { headers: bearer(admin) });
      expect((await handler(granted, { remoteAddress: '192.0.2.9' })).status).toBe(200);
    }
  });
});
