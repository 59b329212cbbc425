import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
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
          if (new URL(req.url).pathname === '/none') return Response.json({ body: req.body === null });
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

  it('hands a request without Content-Length or Transfer-Encoding no body (HTTP/1.1 says it has none)', async () => {
    // A CORS preflight, a bodiless POST: no stream is built for them; the handler reads it as empty.
    for (const method of ['OPTIONS', 'DELETE'] as const) {
      const res = await request(`${base}/none`, { method });
      expect(await res.body.json(), method).toEqual({ body: true });
    }
    // A POST with no framing header at all (undici would add Content-Length: 0), written by hand.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
        socket.end('POST /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(raw).toContain('{"body":true}');
    expect(JSON.parse((await post('/read', '')).text)).toEqual({ size: 0 });
    // With a length or chunked, the body streams as before.
    expect(JSON.parse((await post('/none', 'x')).text)).toEqual({ body: false });
    expect(JSON.parse((await post('/none', Readable.from([Buffer.from('x')]))).text)).toEqual({
      body: false,
    });
  });

  it('lets a handler that never reads the body answer', async () => {
    const res = await post('/ignore', 'x'.repeat(5000));
    expect(res.status).toBe(200);
  });
});
