import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cors, protect, securityHeaders } from '../src/index.js';
import { toNodeListener } from '../src/node/index.js';

// The runtime's connection facts are read once per request: the outermost wrapper reads them from the
// runtime's argument, and a wrapper inside handed the same argument takes what it read. A different argument
// (a copy made in between, or another runtime) is read again. What the node bridge hands a handler is taken as
// it is, without asking which runtime this is.

/** A Bun-like server whose requestIP() answers `address` and counts its calls. */
function bunServer(address: string) {
  const server = {
    calls: 0,
    requestIP: (_request: Request) => {
      server.calls++;
      return { address };
    },
  };
  return server;
}

describe('fetch: the connection is read once per request', () => {
  const app = securityHeaders(
    cors(
      protect(async () => new Response('ok'), {
        rateLimit: { rate: '1/min', clientIp: { onEvent: () => {} } },
      }),
      { origins: ['https://app.test'] },
    ),
  );
  const get = () => new Request('http://api.test/orders');

  it('asks the runtime once through securityHeaders, cors and protect, and limits by what it answered', async () => {
    const a = bunServer('192.0.2.1');
    expect((await app(get(), a)).status).toBe(200);
    expect(a.calls).toBe(1);
    expect((await app(get(), a)).status).toBe(429);
    expect(a.calls).toBe(2);
    // Another client, another bucket.
    const b = bunServer('192.0.2.2');
    expect((await app(get(), b)).status).toBe(200);
    expect(b.calls).toBe(1);
  });

  it('reads a different argument handed inside again', async () => {
    const outer = bunServer('192.0.2.3');
    const inner = bunServer('192.0.2.4');
    const limited = protect(async () => new Response('ok'), {
      rateLimit: { rate: '1/min', clientIp: { onEvent: () => {} } },
    });
    const swap = securityHeaders(async (request) => limited(request, inner));
    expect((await swap(get(), outer)).status).toBe(200);
    expect([outer.calls, inner.calls]).toEqual([1, 1]);
    // The inner limiter counted 192.0.2.4 (the argument it was handed), not the outer client.
    expect((await limited(get(), bunServer('192.0.2.4'))).status).toBe(429);
    expect((await limited(get(), bunServer('192.0.2.3'))).status).toBe(200);
  });
});

describe('fetch: the node bridge connection', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is taken as it is: no runtime sniffing (navigator) per request, the peer address limited', async () => {
    let sniffed = 0;
    const app = securityHeaders(
      protect(async () => new Response('ok'), {
        rateLimit: { rate: '1/min', clientIp: { onEvent: () => {} } },
      }),
    );
    const server = createServer(toNodeListener(app));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      vi.stubGlobal('navigator', {
        get userAgent() {
          sniffed++;
          return 'test';
        },
      });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
      const first = await request(url);
      await first.body.text();
      const second = await request(url);
      await second.body.text();
      expect([first.statusCode, second.statusCode]).toEqual([200, 429]);
      expect(sniffed).toBe(0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
