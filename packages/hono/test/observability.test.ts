import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  captureConsole,
  defineObservabilitySuite,
  defineTelemetrySuite,
  type ObservabilityHarness,
} from '@bulwark/conformance';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll } from 'vitest';
import { observe, rateLimit, requireJwt } from '../src/index.js';

const consoleLog = captureConsole();
afterAll(() => consoleLog.restore());

const harness: ObservabilityHarness = {
  name: 'hono',
  async start(rules, events) {
    const app = new Hono();
    if (events !== undefined) app.use(observe(events));
    app.get('/orders', rateLimit(rules.rateLimit), requireJwt(rules.jwt), (c) => c.json({ ok: true }));
    app.get('/open', (c) => c.json({ ok: true }));
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      server,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
  takeFrameworkLog: () => consoleLog.take(),
};

defineObservabilitySuite(harness);
defineTelemetrySuite(harness);
