import { createServer, type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepForHead, keptForHead } from './before-head.js';
import { probeWriteHead } from '../../test/head-probe.js';
import { keepVary } from './vary.js';

// Below the hook before anything is kept in this file (the hook is installed on the first keep).
const probe = probeWriteHead();

const calls: string[] = [];
/** A second keeper besides Vary's: stamps the value it kept, and says it ran. */
function stamp(res: ServerResponse, kept: string): void {
  calls.push(kept);
  res.setHeader('x-kept', kept);
}

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/both': function handlerWritingHead(_req, res) {
    keepVary(res, 'Origin');
    keepForHead(res, stamp, 'first');
    keepForHead(res, stamp, 'second'); // replaces the value, no second entry
    keepVary(res, 'Accept');
    res.setHeader('vary', 'Cookie');
    res.writeHead(200);
    res.end(`${Object.hasOwn(res, 'writeHead')}`);
  },
  '/nothing': function handlerKeepingNothing(_req, res) {
    res.setHeader('vary', 'Cookie');
    res.setHeader('x-kept', 'mine');
    res.writeHead(200);
    res.end(`${Object.getOwnPropertySymbols(res).some((s) => s.description?.startsWith('bulwark.'))}`);
  },
  '/read': (_req, res) => {
    keepForHead(res, stamp, 'read me');
    res.end(`${keptForHead(res, stamp)}|${keptForHead(res, () => {})}`);
  },
};

describe('one writeHead hook on the prototype runs every keeper (real node http server)', () => {
  const server = createServer((req, res) => routes[req.url ?? '']!(req, res));
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = async (path: string) => {
    const res = await request(`${base}${path}`);
    return { headers: res.headers, body: await res.body.text() };
  };

  it('runs two keepers through one wrapper, none on the response, each keeper once with its last value', async () => {
    calls.length = 0;
    const res = await get('/both');
    expect(res.headers.vary).toBe('Cookie, Origin, Accept');
    expect(res.headers['x-kept']).toBe('second');
    expect(calls).toEqual(['second']);
    expect(res.body).toBe('false');
    expect(probe.wrappersBelow('handlerWritingHead')).toBe(1);
  });

  it('leaves a response nothing was kept on untouched: no keeper runs, no field on it', async () => {
    await get('/both'); // the hook is in place
    calls.length = 0;
    const res = await get('/nothing');
    expect(res.headers.vary).toBe('Cookie');
    expect(res.headers['x-kept']).toBe('mine');
    expect(res.body).toBe('false');
    expect(calls).toEqual([]);
  });

  it("reads back a keeper's value, and nothing for a keeper that kept none", async () => {
    expect((await get('/read')).body).toBe('read me|undefined');
  });

  it("still runs after a user's writeHead put on the prototype later (it calls on to the hook)", async () => {
    await get('/both');
    const hooked = ServerResponse.prototype.writeHead;
    ServerResponse.prototype.writeHead = function userWrapper(this: ServerResponse, ...args: unknown[]) {
      this.setHeader('vary', 'Accept-Encoding');
      this.setHeader('x-kept', 'user');
      return (hooked as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    try {
      calls.length = 0;
      const res = await get('/both');
      expect(res.headers.vary).toBe('Accept-Encoding, Origin, Accept');
      expect(res.headers['x-kept']).toBe('second');
      expect(calls).toEqual(['second']);
    } finally {
      ServerResponse.prototype.writeHead = hooked;
    }
  });
});
