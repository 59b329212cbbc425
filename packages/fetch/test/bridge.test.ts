import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNodeListener } from '../src/node/index.js';

// The node bridge streams the body to the handler and refuses more than maxBodyBytes with a typed 413.
describe('fetch node bridge: body limit', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer(
      toNodeListener(
        async (req) => {
          if (new URL(req.url).pathname === '/ignore') return Response.json({ ignored: true });
          const bytes = await req.arrayBuffer();
          return Response.json({ size: bytes.byteLength });
        },
        { maxBodyBytes: 1000 },
      ),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = async (path: string, body: string | Readable) => {
    const res = await request(`${base}${path}`, { method: 'POST', body });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };

  it('hands a body within the limit to the handler', async () => {
    expect(JSON.parse((await post('/read', 'x'.repeat(1000))).text)).toEqual({ size: 1000 });
  });

  it('refuses a longer body, declared or chunked, with 413 HTTP_BODY_TOO_LARGE problem+json and closes the connection', async () => {
    for (const body of ['x'.repeat(1001), Readable.from([Buffer.alloc(600), Buffer.alloc(600)])]) {
      const res = await post('/read', body);
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.text)).toMatchObject({ status: 413, code: 'HTTP_BODY_TOO_LARGE' });
      expect(res.headers.connection).toBe('close');
    }
  });

  it('lets a handler that never reads the body answer', async () => {
    const res = await post('/ignore', 'x'.repeat(5000));
    expect(res.status).toBe(200);
  });
});
