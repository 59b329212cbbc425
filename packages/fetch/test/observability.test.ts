import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecurityEvent } from '@bulwark/core';
import {
  call,
  captureConsole,
  defineObservabilitySuite,
  defineTelemetrySuite,
  type ObservabilityHarness,
} from '@bulwark/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { cors, protect } from '../src/index.js';
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

// cors() runs outside protect(), whose policy holds the app's sink: its refusals reach that sink all the same.
describe('fetch: the cors() wrapper reports to the app sink of the protect() it wraps', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  async function serve(handler: (request: Request, info?: unknown) => Promise<Response>): Promise<string> {
    const server = createServer(toNodeListener(handler));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const corsOptions = () => ({ origins: ['https://app.example.com'] });
  const preflight = (origin: string) => ({
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET' },
  });

  it('cors(protect(...)): a refused preflight reaches onEvent before any request reached protect()', async () => {
    const events: SecurityEvent[] = [];
    const app = protect(async () => Response.json({ ok: true }), {
      rateLimit: { rate: '100/min' },
      onEvent: (e) => events.push(e),
    });
    const url = await serve(cors(app, corsOptions()));
    expect((await call(url, '/orders', preflight('https://evil.example'))).status).toBe(403);
    expect((await call(url, '/orders', preflight('https://app.example.com'))).status).toBe(204);
    expect(events.map((e) => [e.type, e.rule, e.code, e.path])).toEqual([
      ['cors.denied', 'cors', 'CORS_ORIGIN_DENIED', '/orders'],
    ]);
  });

  it('cors(router): refusals reach the sink of the protect() its requests reached, and its logger', async () => {
    const records: [string, string][] = [];
    const keep = (level: string) => (event: SecurityEvent) => records.push([level, event.type]);
    const orders = protect(async () => Response.json({ ok: true }), {
      rateLimit: { rate: '100/min' },
      logger: { error: keep('error'), warn: keep('warn'), info: keep('info') },
      logDenials: 1,
    });
    const router = async (request: Request, info?: unknown) =>
      new URL(request.url).pathname === '/orders' ? orders(request, info) : Response.json({ ok: true });
    const url = await serve(cors(router, corsOptions()));
    consoleLog.take();
    expect((await call(url, '/orders', { headers: { origin: 'https://app.example.com' } })).status).toBe(200);
    expect((await call(url, '/orders', preflight('https://evil.example'))).status).toBe(403);
    expect(records).toEqual([['info', 'cors.denied']]);
    expect(consoleLog.take()).toEqual([]);
  });
});
