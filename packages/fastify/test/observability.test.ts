import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import {
  defineObservabilitySuite,
  defineTelemetrySuite,
  type ObservabilityHarness,
} from '@bulwark/conformance';
import Fastify from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { bulwark, rateLimit, requireJwt } from '../src/index.js';

// fastify's own pino logger, writing JSON lines here: the framework log the plugin must use by default.
const lines: string[] = [];
const stream = new Writable({
  write(chunk, _encoding, done) {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l !== ''),
    );
    done();
  },
});

const harness: ObservabilityHarness = {
  name: 'fastify',
  async start(rules, events) {
    const app = Fastify({ logger: { level: 'info', stream } });
    await app.register(bulwark, { securityHeaders: false, ...events });
    app.get('/orders', { onRequest: [rateLimit(rules.rateLimit), requireJwt(rules.jwt)] }, async () => ({
      ok: true,
    }));
    app.get('/open', async () => ({ ok: true }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, server: app.server, close: () => app.close() };
  },
  takeFrameworkLog: () => lines.splice(0),
};

defineObservabilitySuite(harness);
defineTelemetrySuite(harness);

describe('an app created without a logger (fastify’s default)', () => {
  it('writes a JWKS outage to the console: app.log drops everything there, and silence is never the default', async () => {
    const down = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const jwks = `http://127.0.0.1:${(down.address() as AddressInfo).port}/jwks.json`;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = Fastify();
    try {
      await app.register(bulwark, { securityHeaders: false });
      const jwt = {
        algorithms: ['RS256'] as const,
        issuer: 'https://idp.test/',
        audience: 'orders',
        jwksUri: jwks,
      };
      app.get('/orders', { onRequest: requireJwt(jwt) }, async () => ({ ok: true }));
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer('https://idp.test/')
        .setAudience('orders')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const res = await app.inject({ url: '/orders', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(503);
      const logged = errors.mock.calls.map((c) => String(c[0]));
      expect(logged.some((l) => l.includes('jwt.jwks_unreachable'))).toBe(true);
      expect(logged.join('\n')).not.toContain(token);
    } finally {
      errors.mockRestore();
      await app.close();
      down.close();
    }
  });
});
