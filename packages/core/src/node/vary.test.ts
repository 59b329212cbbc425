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

describe('keepVary merges through one writeHead on the prototype, not one per response', () => {
  // What each path leaves to observe: whether the response got a writeHead of its own, and the Vary an
  // earlier-installed wrapper (on-headers style: it runs, then calls the writeHead it replaced) saw.
  const seen: { own?: boolean; early?: string } = {};
  const server = createServer((req, res) => {
    if (req.url === '/plain') {
      // No rule kept anything: the handler's Vary is sent as it is.
      res.setHeader('vary', 'Accept');
      res.end('x');
      return;
    }
    if (req.url === '/early') {
      // Replaced before the rule ran, calling on to the writeHead it found.
      const found = res.writeHead;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        seen.early = String(this.getHeader('vary'));
        return (found as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as ServerResponse['writeHead'];
    }
    setHeaders(res, [['vary', 'Origin']]);
    seen.own = Object.hasOwn(res, 'writeHead');
    if (req.url === '/late') {
      // Replaced after the rule ran (on-headers in a later middleware): its listener sets Vary first.
      const found = res.writeHead;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        this.setHeader('vary', 'Accept-Encoding');
        return (found as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as ServerResponse['writeHead'];
    } else res.setHeader('vary', 'Cookie');
    res.end('x');
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

  it('leaves the response without a writeHead of its own, and still merges', async () => {
    expect(await vary('/kept')).toBe('Cookie, Origin');
    expect(seen.own).toBe(false);
    // The next response too (the prototype's hook is installed once).
    expect(await vary('/kept')).toBe('Cookie, Origin');
    expect(seen.own).toBe(false);
  });

  it('sends a Vary no rule kept anything on unchanged', async () => {
    expect(await vary('/plain')).toBe('Accept');
  });

  it('wraps a writeHead replaced on the response before the rule ran, so it sees the merged Vary', async () => {
    expect(await vary('/early')).toBe('Cookie, Origin');
    expect(seen.own).toBe(true);
    expect(seen.early).toBe('Cookie, Origin');
  });

  it('merges after a writeHead replaced on the response later has run', async () => {
    expect(await vary('/late')).toBe('Accept-Encoding, Origin');
  });
});
