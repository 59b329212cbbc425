import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SecurityError } from '../errors.js';
import { readBodyCapped } from './body.js';

const post = (body: BodyInit | null, headers: Record<string, string> = {}): Request =>
  new Request('https://api.example.com/hooks', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);

function streamOf(chunks: Uint8Array[], error?: unknown): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else if (error !== undefined) controller.error(error);
      else controller.close();
    },
  });
}

describe('readBodyCapped', () => {
  it('returns the exact bytes of a body at the limit, joined from its chunks', async () => {
    const body = streamOf([new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array([4, 5])]);
    const read = await readBodyCapped(post(body), 5);
    expect(read).toEqual({ ok: true, value: new Uint8Array([1, 2, 3, 4, 5]) });
  });

  it('returns no bytes for a request without a body', async () => {
    const read = await readBodyCapped(new Request('https://api.example.com/'), 10);
    expect(read.ok && read.value.byteLength).toBe(0);
  });

  it('refuses by content-length before reading anything', async () => {
    let pulled = false;
    const body = new ReadableStream(
      {
        pull(controller) {
          pulled = true;
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const read = await readBodyCapped(post(body, { 'content-length': '11' }), 10);
    expect(read).toEqual({ ok: false, error: 'too_large' });
    expect(pulled).toBe(false);
  });

  it('refuses a chunked body once the count passes the limit, and cancels the stream', async () => {
    let cancelled = false;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        controller.enqueue(new Uint8Array(4));
      },
      cancel() {
        cancelled = true;
      },
    });
    const read = await readBodyCapped(post(body), 10);
    expect(read).toEqual({ ok: false, error: 'too_large' });
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThanOrEqual(4);
  });

  it('answers a SecurityError the runtime threw out of the stream as itself; rethrows anything else', async () => {
    const refusal = new SecurityError({ code: 'HTTP_BODY_TOO_LARGE', status: 413, message: 'too large' });
    const read = await readBodyCapped(post(streamOf([new Uint8Array(1)], refusal)), 10);
    expect(read).toEqual({ ok: false, error: refusal });
    await expect(readBodyCapped(post(streamOf([], new TypeError('reset'))), 10)).rejects.toThrow('reset');
  });

  it('reads a node IncomingMessage the same way: exact bytes at the limit, refused past it, stream destroyed', async () => {
    const seen: { read: Awaited<ReturnType<typeof readBodyCapped>>; destroyed: boolean }[] = [];
    const server = createServer(async (req: IncomingMessage, res) => {
      const read = await readBodyCapped(req, 10);
      seen.push({ read, destroyed: req.destroyed });
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const send = async (chunks: string[]) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: { 'transfer-encoding': 'chunked' },
      });
      req.on('error', () => {}); // a refused upload may see its connection closed
      for (const c of chunks) req.write(c);
      req.end();
      await new Promise<void>((resolve) => {
        req.on('response', (res) => res.resume().on('end', resolve));
        req.on('close', () => resolve());
      });
    };
    try {
      await send(['01234', '56789']);
      await send(['0123456', '789ab']);
      expect(seen).toHaveLength(2);
      expect(seen[0]!.read).toEqual({ ok: true, value: new TextEncoder().encode('0123456789') });
      expect(seen[1]!.read).toEqual({ ok: false, error: 'too_large' });
      expect(seen[1]!.destroyed).toBe(true);
    } finally {
      server.close();
    }
  });
});
