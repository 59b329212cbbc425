import { createServer, type Server, type ServerResponse } from 'node:http';
import { call } from '@bulwark/conformance';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cors, securityHeaders } from '../src/index.js';
import { probeWriteHead } from '../../core/test/head-probe.js';
import { closeServer, listen } from './harness.js';

// Below the hooks before any response is kept in this file (the hook is installed on the first keep).
const probe = probeWriteHead();

// The policy's CSP (put back on the final handler's pages) and Vary: Origin (kept through a handler's own
// Vary) are both kept by writeHead hooks on node's ServerResponse prototype: no response gets a writeHead of
// its own, and one replaced before the middleware ran is wrapped in turn.
describe("express: the policy's CSP and Vary: Origin kept without a writeHead per response", () => {
  let server: Server;
  let url: string;
  const seen: { own?: boolean; early?: string } = {};
  beforeAll(async () => {
    const app = express();
    app.use((req, res, next) => {
      if (req.path === '/early-404') {
        // Replaced before the rules ran (on-headers style), calling on to the writeHead it found.
        const found = res.writeHead;
        res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
          seen.early = String(this.getHeader('content-security-policy'));
          return (found as (...a: unknown[]) => ServerResponse).apply(this, args);
        } as typeof res.writeHead;
      }
      next();
    });
    app.use(securityHeaders());
    app.use(cors({ origins: ['https://app.example'] }));
    app.use((_req, res, next) => {
      seen.own = Object.hasOwn(res, 'writeHead');
      next();
    });
    app.get('/head', function routeWritingHead(_req, res) {
      res.set('Vary', 'Accept-Encoding');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x');
    });
    app.get('/vary', (_req, res) => {
      res.set('Vary', 'Accept-Encoding');
      res.json({ ok: true });
    });
    server = createServer(app);
    url = await listen(server);
  });
  afterAll(async () => {
    await closeServer(server);
  });

  it("puts the policy's CSP back on a 404 and keeps Vary: Origin, with no writeHead on the response", async () => {
    const vary = await call(url, '/vary', { headers: { origin: 'https://app.example' } });
    expect(vary.status).toBe(200);
    expect(vary.headers.vary).toBe('Accept-Encoding, Origin');
    expect(seen.own).toBe(false);
    const policy = vary.headers['content-security-policy'];
    expect(policy).toContain('frame-ancestors');
    const missing = await call(url, '/missing');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-security-policy']).toBe(policy);
    expect(seen.own).toBe(false);
  });

  it('wraps a writeHead replaced before the middleware ran, so it sees the restored CSP', async () => {
    const policy = (await call(url, '/vary')).headers['content-security-policy'];
    expect(policy).toContain('frame-ancestors');
    const res = await call(url, '/early-404');
    expect(res.status).toBe(404);
    expect(res.headers['content-security-policy']).toBe(policy);
    expect(seen.own).toBe(true);
    expect(seen.early).toBe(policy);
  });

  it("keeps the CSP and Vary: Origin through one writeHead wrapper (core's), not one per keeper", async () => {
    const res = await call(url, '/head', { headers: { origin: 'https://app.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.vary).toBe('Accept-Encoding, Origin');
    expect(seen.own).toBe(false);
    expect(probe.wrappersBelow('routeWritingHead')).toBe(1);
  });
});
