import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  captureConsole,
  defineObservabilitySuite,
  defineTelemetrySuite,
  type ObservabilityHarness,
} from '@bulwark/conformance';
import { afterAll } from 'vitest';
import { protect } from '../src/index.js';
import { toNodeListener } from '../src/node/index.js';

const consoleLog = captureConsole();
afterAll(() => consoleLog.restore());

const harness: ObservabilityHarness = {
  name: 'fetch',
  async start(rules, events) {
    const orders = protect(async () => Response.json({ ok: true }), {
      jwt: rules.jwt,
      rateLimit: rules.rateLimit,
      ...events,
    });
    const server = createServer(
      toNodeListener(async (request, info) =>
        new URL(request.url).pathname === '/orders' ? orders(request, info) : Response.json({ ok: true }),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
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
