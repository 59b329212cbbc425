import { createServer, ServerResponse, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { toNodeListener } from '../src/node/index.js';

// The node bridge writes a Response's head as node's flat list (name, value, name, value…) in the order its
// Headers iterate: every Set-Cookie its own field line, other repeated fields combined as fetch combines them.

describe('fetch node bridge: the response head', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer(
      toNodeListener(async () => {
        const headers = new Headers([
          ['x-b', '1'],
          ['set-cookie', 'a=1; Path=/'],
          ['content-type', 'text/plain'],
          ['set-cookie', 'b=2, c=3'],
          ['x-a', 'first'],
          ['x-a', 'second'],
        ]);
        return new Response('hi', { status: 203, headers });
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(() => vi.restoreAllMocks());

  /** The raw response head (status line and field lines) of one GET. */
  const rawHead = () =>
    new Promise<string[]>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n'));
        }
      });
      socket.on('error', reject);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });

  it('writes each Set-Cookie as its own line and the other fields sorted and combined', async () => {
    const lines = await rawHead();
    expect(lines[0]).toBe('HTTP/1.1 203 Non-Authoritative Information');
    const fields = lines.slice(1).filter((l) => !/^(date|connection|transfer-encoding|keep-alive):/i.test(l));
    expect(fields).toEqual([
      'content-type: text/plain',
      'set-cookie: a=1; Path=/',
      'set-cookie: b=2, c=3',
      'x-a: first, second',
      'x-b: 1',
    ]);
  });

  it('hands node the head as one flat list, in the Headers order', async () => {
    const writeHead = vi.spyOn(ServerResponse.prototype, 'writeHead');
    await rawHead();
    expect(writeHead).toHaveBeenCalledTimes(1);
    expect(writeHead.mock.calls[0]).toEqual([
      203,
      [
        'content-type',
        'text/plain',
        'set-cookie',
        'a=1; Path=/',
        'set-cookie',
        'b=2, c=3',
        'x-a',
        'first, second',
        'x-b',
        '1',
      ],
    ]);
  });
});
