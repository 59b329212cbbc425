import { describe, expect, it } from 'vitest';
import { isConfigError, protect } from '../src/index.js';

describe('protect({ certificateBound })', () => {
  it('refuses at construction without the jwt rule (there would be no token to check)', () => {
    let thrown: unknown;
    try {
      protect(async () => new Response('ok'), { certificateBound: true });
    } catch (err) {
      thrown = err;
    }
    expect(isConfigError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/protect.certificateBound: needs the jwt rule/);
  });

  it('refuses a request with no client certificate when mtls is required', async () => {
    const handler = protect(async () => new Response('ok'), { mtls: { dangerouslyAllowAnyPeer: true } });
    const res = await handler(new Request('https://api.example/pay'), {});
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'MTLS_CERT_REQUIRED' });
  });
});
