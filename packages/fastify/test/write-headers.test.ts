import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { HeaderList } from '@bulwark/core';
import { setHeaders } from '@bulwark/core/node';
import { call } from '@bulwark/conformance';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bulwark, cors, rateLimit } from '../src/index.js';
import { writeHeaders } from '../src/write.js';

const ORIGIN = 'https://app.example.com';
const fresh = (): ServerResponse => new ServerResponse(new IncomingMessage(new Socket()));
const frozen = (name: string, value: string) => Object.freeze([name, value] as const);

/** What node would send: the header names as set and their values, in order. */
const head = (res: ServerResponse) => res.getHeaderNames().map((n) => [n, res.getHeader(n)] as const);

describe('fastify writeHeaders: a verdict header list with the effect of core setHeaders', () => {
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
    for (let round = 0; round < 3; round++) {
      const ours = fresh();
      const core = fresh();
      for (const res of [ours, core]) {
        res.setHeader('vary', 'Accept-Encoding');
        res.setHeader('set-cookie', 'z=0');
        res.setHeader('access-control-allow-origin', 'https://replaced.example');
      }
      writeHeaders(ours, list);
      setHeaders(core, list);
      expect(head(ours)).toEqual(head(core));
      expect(ours.getHeader('vary')).toBe('Accept-Encoding, Origin, Accept');
      expect(ours.getHeader('set-cookie')).toEqual(['z=0', 'a=1', 'b=2']);
    }
  });

  it('treats capitalised Vary and Set-Cookie pairs as setHeaders does (by the exact name)', () => {
    const list: HeaderList = [frozen('Vary', 'Cookie'), frozen('Set-Cookie', 'c=3'), ['Vary', 'Accept']];
    const ours = fresh();
    const core = fresh();
    for (const res of [ours, core]) {
      res.setHeader('vary', 'Accept-Encoding');
      res.setHeader('set-cookie', 'z=0');
    }
    writeHeaders(ours, list);
    setHeaders(core, list);
    expect(head(ours)).toEqual(head(core));
  });

  it('checks a frozen pair as setHeader does (node’s own error), every time until it passes', () => {
    const bad = frozen('x-bad', 'line\r\nbreak');
    expect(() => fresh().setHeader(bad[0], bad[1])).toThrow();
    for (let i = 0; i < 2; i++) {
      const res = fresh();
      let thrown: unknown;
      try {
        writeHeaders(res, [bad]);
      } catch (err) {
        thrown = err;
      }
      expect((thrown as { code?: string }).code).toBe('ERR_INVALID_CHAR');
      expect(res.hasHeader('x-bad')).toBe(false);
    }
    expect(() => writeHeaders(fresh(), [frozen('bad name', 'v')])).toThrow();
  });

  it('gives each response its own entry (an append on one leaves the next alone)', () => {
    const list: HeaderList = [frozen('access-control-allow-origin', ORIGIN)];
    const first = fresh();
    writeHeaders(first, list);
    first.appendHeader('access-control-allow-origin', 'extra');
    const second = fresh();
    writeHeaders(second, list);
    expect(second.getHeader('access-control-allow-origin')).toBe(ORIGIN);
    expect(first.getHeader('access-control-allow-origin')).toEqual([ORIGIN, 'extra']);
  });
});

describe('fastify: a CORS grant and a rate limit policy written without setHeader', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await app?.close();
  });

  for (const [label, install] of [
    [
      'plugin',
      async (a: FastifyInstance) =>
        a.register(bulwark, { cors: { origins: [ORIGIN] }, rateLimit: { rate: '100/min' } }),
    ],
    [
      'route hooks',
      async (a: FastifyInstance) => {
        a.addHook('onRequest', cors({ origins: [ORIGIN] }));
        a.addHook('onRequest', rateLimit({ rate: '100/min' }));
      },
    ],
  ] as const) {
    it(`sends the grant, the policy and the count, Vary merged with the handler's (${label})`, async () => {
      app = Fastify();
      await install(app);
      app.get('/data', async (_request, reply) => {
        reply.header('vary', 'Accept-Encoding');
        return { ok: true };
      });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const set: string[] = [];
      const original = ServerResponse.prototype.setHeader;
      vi.spyOn(ServerResponse.prototype, 'setHeader').mockImplementation(function (
        this: ServerResponse,
        name: string,
        value: number | string | readonly string[],
      ) {
        set.push(name.toLowerCase());
        return original.call(this, name, value);
      });
      for (let i = 0; i < 3; i++) {
        set.length = 0;
        const res = await call(url, '/data', { headers: { origin: ORIGIN } });
        expect(res.status).toBe(200);
        expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
        expect(res.headers['ratelimit-policy']).toBe('"ip";q=100;w=60');
        expect(res.headers.ratelimit).toBe(`"ip";r=${99 - i};t=1`);
        expect(res.headers.vary).toBe('Accept-Encoding, Origin');
        // The constant pairs went straight into node's table; the count, built per request, was checked.
        expect(set).not.toContain('access-control-allow-origin');
        expect(set).not.toContain('ratelimit-policy');
        expect(set).toContain('ratelimit');
      }
    });
  }
});
