import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLike } from '../http/request.js';
import { fromNodeRequest } from './request.js';

describe('fromNodeRequest (real node http server)', () => {
  let seen: RequestLike | undefined;
  let raw: IncomingMessage | undefined;
  const server = createServer((req, res) => {
    raw = req;
    seen = fromNodeRequest(req);
    // Read everything while the request is alive.
    const snapshot = {
      method: seen.method,
      url: seen.url,
      auth: seen.header('authorization'),
      auths: seen.headerValues?.('authorization'),
      accept: seen.header('accept'),
      missing: seen.header('x-missing'),
      remote: seen.remoteAddress,
      cert: seen.peerCertificate,
    };
    res.end(JSON.stringify(snapshot));
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads method, url, headers and peer without building a Request', async () => {
    const res = await request(`${base}/a/b?c=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer x', accept: 'a/b' },
    });
    const body = (await res.body.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      method: 'POST',
      url: '/a/b?c=1',
      auth: 'Bearer x',
      auths: ['Bearer x'],
      accept: 'a/b',
      remote: '127.0.0.1',
    });
    expect(body.missing).toBeUndefined();
    expect(body.cert).toBeUndefined();
    expect(raw).toBeDefined();
  });

  it('sees every copy of a header node would silently drop', async () => {
    const res = await request(base, {
      headers: ['authorization', 'Bearer one', 'Authorization', 'Bearer two'],
    });
    const body = (await res.body.json()) as { auth: string; auths: string[] };
    // node keeps only the first Authorization in req.headers; rawHeaders has both.
    expect(body.auth).toBe('Bearer one');
    expect(body.auths).toEqual(['Bearer one', 'Bearer two']);
  });
});

describe('fromNodeRequest headerValues', () => {
  const withRaw = (rawHeaders: string[]) =>
    fromNodeRequest({ rawHeaders, headers: {} } as unknown as IncomingMessage);

  it('matches names case-insensitively as toLowerCase() does, for any key', () => {
    // Letters around the ASCII fold and non-ASCII ones whose lowercase is ASCII (Kelvin sign, dotted I).
    const char = fc.constantFrom(...'aAkKzZ@[`{-_09\u212a\u0130\u00e9\u00c9');
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: char, maxLength: 6 }), { maxLength: 6 }),
        fc.string({ unit: char, maxLength: 6 }),
        (keys, wanted) => {
          const name = wanted.toLowerCase();
          const raw = keys.flatMap((k, i) => [k, `v${i}`]);
          const expected = keys.flatMap((k, i) =>
            k.length === name.length && k.toLowerCase() === name ? [`v${i}`] : [],
          );
          expect(withRaw(raw).headerValues?.(name)).toEqual(expected);
        },
      ),
    );
  });

  it('builds no lowercase copy of a name sent lowercase', () => {
    const req = withRaw(['host', 'a', 'x-hub-signature-256', 'sha256=00', 'X-GitHub-Delivery', 'id']);
    const lower = String.prototype.toLowerCase;
    let calls = 0;
    String.prototype.toLowerCase = function (this: string) {
      calls++;
      return lower.call(this);
    };
    try {
      expect(req.headerValues?.('x-hub-signature-256')).toEqual(['sha256=00']);
      expect(calls).toBe(0);
      // Sent capitalised (as GitHub does), it is still found.
      expect(req.headerValues?.('x-github-delivery')).toEqual(['id']);
    } finally {
      String.prototype.toLowerCase = lower;
    }
  });
});
