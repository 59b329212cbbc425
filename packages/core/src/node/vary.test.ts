import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setHeaders } from './response.js';

// What a handler does to Vary after the CORS rule ran, by path.
const handlers: Record<string, (res: ServerResponse) => void> = {
  '/set': (res) => {
    res.setHeader('Vary', 'Accept-Encoding');
    res.end('x');
  },
  '/remove': (res) => {
    res.removeHeader('vary');
    res.end('x');
  },
  '/write-head-object': (res) => {
    res.writeHead(200, { Vary: 'Accept-Language', 'content-type': 'text/plain' });
    res.end('x');
  },
  '/write-head-array': (res) => {
    res.writeHead(200, ['Vary', 'Accept', 'content-type', 'text/plain']);
    res.end('x');
  },
  '/write-head-message': (res) => {
    res.writeHead(201, 'Made', { vary: 'Cookie' });
    res.end('x');
  },
  '/star': (res) => {
    res.setHeader('vary', '*');
    res.end('x');
  },
  '/untouched': (res) => {
    res.end('x');
  },
};

describe('setHeaders keeps Vary through what the handler sets later (real node http server)', () => {
  const server = createServer((req, res) => {
    setHeaders(res, [
      ['vary', 'Origin'],
      ['x-content-type-options', 'nosniff'],
    ]);
    setHeaders(res, [['vary', 'Access-Control-Request-Headers']]);
    handlers[req.url ?? '']!(res);
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const vary = async (path: string): Promise<string> => {
    const res = await request(`${base}${path}`);
    await res.body.text();
    return String(res.headers.vary);
  };

  it('merges a handler-set Vary with the kept fields, in every writeHead form', async () => {
    expect(await vary('/set')).toBe('Accept-Encoding, Origin, Access-Control-Request-Headers');
    expect(await vary('/write-head-object')).toBe('Accept-Language, Origin, Access-Control-Request-Headers');
    expect(await vary('/write-head-array')).toBe('Accept, Origin, Access-Control-Request-Headers');
    expect(await vary('/write-head-message')).toBe('Cookie, Origin, Access-Control-Request-Headers');
  });

  it('restores a removed Vary, keeps * as it is, and changes nothing when nobody touched it', async () => {
    expect(await vary('/remove')).toBe('Origin, Access-Control-Request-Headers');
    expect(await vary('/star')).toBe('*');
    expect(await vary('/untouched')).toBe('Origin, Access-Control-Request-Headers');
  });
});
