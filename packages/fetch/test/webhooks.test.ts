import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { protect, type WebhookDelivery } from '../src/index.js';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const sender = new Webhook(SECRET);

function signedHeaders(id: string, body: string): Record<string, string> {
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': sender.sign(id, at, body),
  };
}

/** A request whose body arrives as a stream of chunks, without Content-Length (chunked upload). */
function streamed(headers: Record<string, string>, chunks: string[]): Request {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
  return new Request('http://api.test/hooks', {
    method: 'POST',
    headers,
    body: stream,
    duplex: 'half',
  } as RequestInit);
}

describe('fetch webhook stage', () => {
  const handler = protect(
    async (_request, { webhook }) => Response.json({ id: (webhook as WebhookDelivery).id }),
    { webhook: { scheme: 'standard', secrets: SECRET, maxBodyBytes: 1024 } },
  );

  it('reassembles a chunked body and verifies it', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', note: 'x'.repeat(300) });
    const res = await handler(
      streamed(signedHeaders('msg_chunked', body), [
        body.slice(0, 100),
        body.slice(100, 250),
        body.slice(250),
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'msg_chunked' });
  });

  it('stops reading a chunked body at the limit: 413 without buffering the rest', async () => {
    const chunks = Array.from({ length: 1000 }, () => 'x'.repeat(512));
    const res = await handler(streamed(signedHeaders('msg_flood', '{}'), chunks));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('WEBHOOK_BODY_TOO_LARGE');
    // The stream was cancelled after the limit: most chunks were never pulled.
    expect(chunks.length).toBeGreaterThan(990);
  });

  it('refuses a body whose declared Content-Length is over the limit', async () => {
    const res = await handler(
      new Request('http://api.test/hooks', {
        method: 'POST',
        headers: { ...signedHeaders('msg_declared', '{}'), 'content-length': '5000' },
        body: 'x'.repeat(5000),
      }),
    );
    expect(res.status).toBe(413);
  });
});
