import { call } from '@bulwark/conformance';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { BulwarkDenial, bulwark, requireJwt } from '../src/index.js';

// A user replacing @fastify/helmet registers the plugin and expects the headers, with nothing else to say.
describe('fastify: the bulwark plugin', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  async function serve(options: Parameters<typeof bulwark>[1]): Promise<string> {
    app = Fastify();
    await app.register(bulwark, options);
    app.get('/health', async () => ({ ok: true }));
    return app.listen({ port: 0, host: '127.0.0.1' });
  }

  it('sends the security headers from a bare register(bulwark, {}), 404s included', async () => {
    const url = await serve({});
    for (const path of ['/health', '/missing']) {
      const res = await call(url, path);
      expect(res.headers['content-security-policy'], path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['strict-transport-security'], path).toMatch(/^max-age=31536000/);
    }
  });

  it('takes options for them, and false for none', async () => {
    const web = await serve({ securityHeaders: { preset: 'web' } });
    expect((await call(web, '/health')).headers['content-security-policy']).toMatch(/^default-src 'self'/);
    await app?.close();
    const none = await serve({ securityHeaders: false });
    const res = await call(none, '/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBeUndefined();
  });
});

// fastify users hook errors in onError and setErrorHandler (as @fastify/rate-limit's 429s reach them):
// bulwark's denials travel that pipeline, and still answer the same problem response.
describe('fastify: denials through the error pipeline', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  const jwt = {
    algorithms: ['ES256' as const],
    issuer: 'https://id.example.test/',
    audience: 'orders',
    jwksUri: 'https://id.example.test/jwks.json',
  };

  it('onError hooks and an app error handler see each denial; handed back, it is the problem response', async () => {
    app = Fastify();
    const seen: string[] = [];
    app.addHook('onError', async (_request, _reply, error) => {
      seen.push(`onError ${(error as { code?: string }).code}`);
    });
    await app.register(bulwark, { cors: { origins: ['https://app.example.com'] } });
    await app.register(async (scope) => {
      scope.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
        seen.push(`handler ${error instanceof BulwarkDenial} ${error.code} ${error.statusCode}`);
        reply.send(error);
      });
      scope.get('/orders', { preHandler: requireJwt(jwt) }, async () => ({ ok: true }));
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });

    const res = await call(url, '/orders', { headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.json()).toMatchObject({ status: 401, code: 'JWT_MISSING' });
    expect(seen).toEqual(['onError JWT_MISSING', 'handler true JWT_MISSING 401']);

    // An app-wide refusal (CORS, before routing) goes the same way.
    seen.length = 0;
    const cors = await call(url, '/orders', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
    });
    expect(cors.status).toBe(403);
    expect(cors.json()).toMatchObject({ status: 403, code: 'CORS_ORIGIN_DENIED' });
    expect(seen).toContain('onError CORS_ORIGIN_DENIED');
  });

  it("an app error handler may answer a denial its own way; other errors keep fastify's handling", async () => {
    app = Fastify();
    await app.register(bulwark, {});
    await app.register(async (scope) => {
      scope.setErrorHandler((error: Error, _request, reply) => {
        if (error instanceof BulwarkDenial) reply.code(error.statusCode).send({ denied: error.code });
        else reply.send(error);
      });
      scope.get('/orders', { preHandler: requireJwt(jwt) }, async () => ({ ok: true }));
      scope.get('/boom', async () => {
        throw Object.assign(new Error('teapot'), { statusCode: 418 });
      });
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const denied = await call(url, '/orders');
    expect(denied.status).toBe(401);
    expect(denied.json()).toEqual({ denied: 'JWT_MISSING' });
    const boom = await call(url, '/boom');
    expect(boom.status).toBe(418);
    expect(boom.json()).toMatchObject({ statusCode: 418, message: 'teapot' });
  });

  it('without the plugin a route hook answers the denial itself', async () => {
    app = Fastify();
    const seen: string[] = [];
    app.addHook('onError', async (_request, _reply, error) => {
      seen.push(String((error as { code?: string }).code));
    });
    app.get('/orders', { preHandler: requireJwt(jwt) }, async () => ({ ok: true }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await call(url, '/orders');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'JWT_MISSING' });
    expect(seen).toEqual([]);
  });
});

describe('fastify: request decorations', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  // Every property a bulwark hook sets is declared by the plugin, so fastify's request objects keep one shape
  // and fastify knows each property (typed through the FastifyRequest declarations of each hook).
  it('declares every request property bulwark sets, and the reply nonce', async () => {
    app = Fastify();
    await app.register(bulwark, {});
    for (const name of ['auth', 'mtls', 'webhook', 'dpop'])
      expect(app.hasRequestDecorator(name), name).toBe(true);
    expect(app.hasReplyDecorator('cspNonce')).toBe(true);
    app.get('/own', async (request, reply) => ({
      request: ['auth', 'mtls', 'webhook', 'dpop'].filter((name) => Object.hasOwn(request, name)),
      reply: Object.hasOwn(reply, 'cspNonce'),
    }));
    const res = await app.inject({ method: 'GET', url: '/own' });
    expect(res.json()).toEqual({ request: ['auth', 'mtls', 'webhook', 'dpop'], reply: true });
  });
});
