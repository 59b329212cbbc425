import { connect, createServer as createH2Server, type Http2ServerResponse } from 'node:http2';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HeaderList } from '../verdict.js';
import { applyAllowed, setHeaders, writeReply } from './response.js';
import { DIRECT_HEADER_WRITES, writeHeaders } from './write.js';

const ORIGIN = 'https://app.example.com';
const fresh = (): ServerResponse => new ServerResponse(new IncomingMessage(new Socket()));
const frozen = (name: string, value: string) => Object.freeze([name, value] as const);
const frozenList = (...pairs: (readonly [string, string])[]): HeaderList =>
  Object.freeze(pairs.map((p) => Object.freeze(p)));

/** What node would send: the header names as set and their values, in order. */
const head = (res: ServerResponse) => res.getHeaderNames().map((n) => [n, res.getHeader(n)] as const);

/** Names node's setHeader was called with while `run` ran. */
function setHeaderCalls(run: () => void): string[] {
  const set: string[] = [];
  const original = ServerResponse.prototype.setHeader;
  const spy = vi.spyOn(ServerResponse.prototype, 'setHeader').mockImplementation(function (
    this: ServerResponse,
    name: string,
    value: number | string | readonly string[],
  ) {
    set.push(name.toLowerCase());
    return original.call(this, name, value);
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return set;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeHeaders: a verdict header list with the effect of core setHeaders', () => {
  it('uses node’s header table directly here', () => {
    expect(DIRECT_HEADER_WRITES).toBe(true);
  });

  it('sets, merges and appends exactly as setHeaders, for frozen and per-request pairs', () => {
    const list: HeaderList = [
      frozen('access-control-allow-origin', ORIGIN),
      frozen('Access-Control-Expose-Headers', 'X-Total'),
      ['ratelimit', '"ip";r=3;t=0'],
      frozen('vary', 'Origin'),
      ['vary', 'Accept'],
      frozen('set-cookie', 'a=1'),
      ['set-cookie', 'b=2'],
    ];
    for (const shape of ['open', 'frozen']) {
      const written = shape === 'open' ? list : Object.freeze([...list]);
      for (let round = 0; round < 3; round++) {
        const ours = fresh();
        const core = fresh();
        for (const res of [ours, core]) {
          res.setHeader('vary', 'Accept-Encoding');
          res.setHeader('set-cookie', 'z=0');
          res.setHeader('access-control-allow-origin', 'https://replaced.example');
        }
        writeHeaders(ours, written);
        setHeaders(core, written);
        expect(head(ours)).toEqual(head(core));
        expect(ours.getHeader('vary')).toBe('Accept-Encoding, Origin, Accept');
        expect(ours.getHeader('set-cookie')).toEqual(['z=0', 'a=1', 'b=2']);
      }
    }
  });

  it('treats capitalised Vary and Set-Cookie pairs as setHeaders does (by the exact name)', () => {
    const pairs: HeaderList = [frozen('Vary', 'Cookie'), frozen('Set-Cookie', 'c=3'), ['Vary', 'Accept']];
    for (const list of [pairs, Object.freeze([...pairs])]) {
      const ours = fresh();
      const core = fresh();
      for (const res of [ours, core]) {
        res.setHeader('vary', 'Accept-Encoding');
        res.setHeader('set-cookie', 'z=0');
      }
      writeHeaders(ours, list);
      setHeaders(core, list);
      expect(head(ours)).toEqual(head(core));
    }
  });

  it('writes a frozen list, and the frozen pairs of an open one, without setHeader; a per-request pair with it', () => {
    const grant = frozenList(['access-control-allow-origin', ORIGIN], ['x-frame-options', 'DENY']);
    const limit: HeaderList = [frozen('ratelimit-policy', '"ip";q=100;w=60'), ['ratelimit', '"ip";r=9;t=1']];
    for (let round = 0; round < 2; round++) {
      const res = fresh();
      const set = setHeaderCalls(() => {
        writeHeaders(res, grant);
        writeHeaders(res, limit);
      });
      expect(set).toEqual(['ratelimit']);
      expect(res.getHeader('access-control-allow-origin')).toBe(ORIGIN);
      expect(res.getHeader('ratelimit-policy')).toBe('"ip";q=100;w=60');
    }
  });

  it('checks what is frozen as setHeader does (node’s own error), every time until it passes', () => {
    const bad = frozen('x-bad', 'line\r\nbreak');
    expect(() => fresh().setHeader(bad[0], bad[1])).toThrow();
    for (const list of [[bad], Object.freeze([bad])] as HeaderList[]) {
      for (let i = 0; i < 2; i++) {
        const res = fresh();
        let thrown: unknown;
        try {
          writeHeaders(res, list);
        } catch (err) {
          thrown = err;
        }
        expect((thrown as { code?: string }).code).toBe('ERR_INVALID_CHAR');
        expect(res.hasHeader('x-bad')).toBe(false);
      }
    }
    expect(() => writeHeaders(fresh(), [frozen('bad name', 'v')])).toThrow();
    expect(() => writeHeaders(fresh(), frozenList(['bad name', 'v']))).toThrow();
  });

  it('gives each response its own entry (an append on one leaves the next alone)', () => {
    for (const list of [[frozen('access-control-allow-origin', ORIGIN)], frozenList(['x-a', ORIGIN])]) {
      const name = list[0]![0];
      const first = fresh();
      writeHeaders(first, list);
      first.appendHeader(name, 'extra');
      const second = fresh();
      writeHeaders(second, list);
      expect(second.getHeader(name)).toBe(ORIGIN);
      expect(first.getHeader(name)).toEqual([ORIGIN, 'extra']);
    }
  });

  it('after the head was sent, throws setHeader’s own error as setHeaders does', () => {
    const res = fresh();
    res.writeHead(200);
    expect(() => writeHeaders(res, frozenList(['x-a', '1']))).toThrow(/after they are sent/);
  });
});

describe('writeHeaders on real servers', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('a later setHeader, writeHead or removeHeader of the handler wins over what was written, as over setHeader', async () => {
    const constant = frozenList(
      ['x-frame-options', 'DENY'],
      ['access-control-allow-origin', ORIGIN],
      ['vary', 'Origin'],
    );
    const server = createServer((req, res) => {
      applyAllowed(req, res, { ok: true, value: undefined, headers: constant } as never);
      if (req.url === '/set') res.setHeader('X-Frame-Options', 'SAMEORIGIN');
      if (req.url === '/remove') res.removeHeader('access-control-allow-origin');
      res.setHeader('vary', 'Accept-Encoding');
      if (req.url === '/head') res.writeHead(200, { 'x-frame-options': 'SAMEORIGIN' });
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (path: string) => {
      const res = await request(`${base}${path}`);
      await res.body.text();
      return res.headers;
    };
    const plain = await get('/');
    expect(plain['x-frame-options']).toBe('DENY');
    expect(plain['access-control-allow-origin']).toBe(ORIGIN);
    // Vary: the handler's replaced the field, the kept Origin merged back when the head was written.
    expect(plain.vary).toBe('Accept-Encoding, Origin');
    expect((await get('/set'))['x-frame-options']).toBe('SAMEORIGIN');
    expect((await get('/head'))['x-frame-options']).toBe('SAMEORIGIN');
    expect((await get('/remove'))['access-control-allow-origin']).toBeUndefined();
  });

  it('an HTTP/2 compatibility response (no node header table) gets the headers through setHeader', async () => {
    const constant = frozenList(['x-frame-options', 'DENY'], ['content-type', 'application/problem+json']);
    const server = createH2Server((_req, res: Http2ServerResponse) => {
      const target = res as unknown as ServerResponse;
      if (_req.url === '/reply') {
        writeReply(target, { status: 401, headers: constant, body: '{}' } as never);
        return;
      }
      writeHeaders(target, constant);
      writeHeaders(target, [frozen('x-content-type-options', 'nosniff')]);
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    closers.unshift(async () => void client.close());
    const get = (path: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const stream = client.request({ ':path': path });
        stream.on('response', (headers) => {
          stream.resume();
          stream.on('end', () => resolve(headers));
        });
        stream.on('error', reject);
      });
    const ok = await get('/');
    expect(ok['x-frame-options']).toBe('DENY');
    expect(ok['x-content-type-options']).toBe('nosniff');
    const refused = await get('/reply');
    expect(refused[':status']).toBe(401);
    expect(refused['content-type']).toBe('application/problem+json');
  });
});
