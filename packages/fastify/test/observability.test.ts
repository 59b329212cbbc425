import { Writable } from 'node:stream';
import {
  defineObservabilitySuite,
  defineTelemetrySuite,
  type ObservabilityHarness,
} from '@bulwark/conformance';
import Fastify from 'fastify';
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
