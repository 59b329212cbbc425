import { call } from '@bulwark/conformance';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bulwark } from '../src/index.js';

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
