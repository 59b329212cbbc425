import { captureConsole, defineObservabilitySuite } from '@bulwark/conformance';
import { afterAll } from 'vitest';
import { protect } from '../src/index.js';
import { serveFetch } from './serve.js';

const consoleLog = captureConsole();
afterAll(() => consoleLog.restore());

defineObservabilitySuite({
  name: 'fetch',
  async start(rules, events) {
    const orders = protect(async () => Response.json({ ok: true }), {
      jwt: rules.jwt,
      rateLimit: rules.rateLimit,
      ...events,
    });
    return serveFetch(async (request, info) =>
      new URL(request.url).pathname === '/orders' ? orders(request, info) : Response.json({ ok: true }),
    );
  },
  takeFrameworkLog: () => consoleLog.take(),
});
