import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, makeTestKeys } from '@bulwark/conformance';
import { cors, protect, securityHeaders } from '../src/index.js';
import { toNodeListener } from '../src/node/index.js';

// The node bridge writes a refusal bulwark built from the reply's text it carries, without reading the
// Response's body stream back; a body something else read, took or replaced is written as the stream gives it.

type Wrap = (refusal: Response) => Response | Promise<Response>;

describe('fetch node bridge: a refusal written from its reply text', () => {
  let server: Server;
  let base: string;
  const seen: Response[] = [];
  let wrap: Wrap = (r) => r;
  beforeAll(async () => {
    const keys = await makeTestKeys();
    const jwt = {
      algorithms: ['RS256' as const],
      keys: [keys.rsa.publicJwk],
      issuer: ISSUER,
      audience: AUDIENCE,
    };
    const app = protect(() => new Response('ok'), { jwt });
    const handler = securityHeaders(
      cors(
        async (req, info) => {
          const response = await wrap(await app(req, info));
          seen.push(response);
          return response;
        },
        { origins: ['https://app.test'] },
      ),
    );
    server = createServer(toNodeListener(handler));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const ask = async () => {
    const res = await request(`${base}/orders`, {
      headers: { authorization: 'Bearer not.a-valid.token', origin: 'https://app.test' },
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };

  it('answers the refusal in full and leaves its body stream unread', async () => {
    wrap = (r) => r;
    const res = await ask();
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['access-control-allow-origin']).toBe('https://app.test');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(JSON.parse(res.text)).toMatchObject({ status: 401, code: 'JWT_MALFORMED' });
    const refusal = seen.at(-1)!;
    expect(refusal.bodyUsed).toBe(false);
    // The text written is the body the stream still holds.
    expect(await refusal.text()).toBe(res.text);
  });

  it('writes what the stream gives when a wrapper replaced, teed or read the body', async () => {
    const plain = await ask();
    const cases: [string, Wrap, (text: string) => void][] = [
      ['replaced', (r) => new Response('{"changed":true}', r), (t) => expect(t).toBe('{"changed":true}')],
      [
        'cloned',
        (r) => {
          void r.clone().text();
          return r;
        },
        (t) => expect(t).toBe(plain.text),
      ],
      [
        'partly read',
        async (r) => {
          const reader = r.body!.getReader();
          await reader.read();
          reader.releaseLock();
          return r;
        },
        // Read as the stream gives it, as before: a spent stream fails there, so not the reply's text.
        (t) => expect(t).not.toBe(plain.text),
      ],
    ];
    for (const [name, w, check] of cases) {
      wrap = w;
      const res = await ask();
      expect(res.status, name).toBe(401); // the head is written before the body is read
      check(res.text);
    }
  });
});
