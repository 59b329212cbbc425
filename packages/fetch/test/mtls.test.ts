import { describe, expect, it } from 'vitest';
import { isConfigError, protect } from '../src/index.js';

describe('protect({ mtls })', () => {
  it('refuses a certificate binding option that is neither true nor options, at construction', () => {
    let thrown: unknown;
    try {
      protect(async () => new Response('ok'), {
        jwt: {
          verifier: {
            algorithms: ['ES256'],
            issuer: 'https://id.example',
            audience: 'api',
            jwksUri: 'https://id.example/jwks',
          },
          certificateBound: 'yes' as never,
        },
      });
    } catch (err) {
      thrown = err;
    }
    expect(isConfigError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/jwt.route.certificateBound: must be true or binding options/);
  });

  it('refuses a request with no client certificate when mtls is required', async () => {
    const handler = protect(async () => new Response('ok'), { mtls: { dangerouslyAllowAnyPeer: true } });
    const res = await handler(new Request('https://api.example/pay'), {});
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'MTLS_CERT_REQUIRED' });
  });
});
