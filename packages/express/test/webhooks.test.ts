import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { call } from '@bulwark/conformance';
import { createWebhookVerifier } from '@bulwark/core';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { captureRawBody, verifyWebhook } from '../src/index.js';
import { closeServer } from './harness.js';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const sender = new Webhook(SECRET);
const servers: ReturnType<express.Express['listen']>[] = [];

async function start(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function delivery(id: string): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ type: 'invoice.paid', id });
  const at = new Date();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': sender.sign(id, at, body),
    },
  };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
});

describe('express verifyWebhook behind a global JSON parser', () => {
  it('works after express.json({ verify: captureRawBody }), and the rest of the app still gets parsed JSON', async () => {
    const app = express();
    app.use(express.json({ verify: captureRawBody }));
    app.post('/hooks', verifyWebhook({ scheme: 'standard', secrets: SECRET }), (req, res) => {
      res.json({ id: req.webhook!.id, parsed: req.body });
    });
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    const url = await start(app);
    const d = delivery('msg_capture');
    const res = await call(url, '/hooks', { method: 'POST', headers: d.headers, body: d.body });
    expect(res.status).toBe(200);
    expect((res.json() as { id: string }).id).toBe('msg_capture');
    const echo = await call(url, '/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(echo.json()).toEqual({ a: 1 });
  });

  it('after a plain express.json() the raw bytes are gone: a 500 whose error names the mistake, never a 2xx', async () => {
    const app = express();
    app.use(express.json());
    let seen: unknown;
    app.post('/hooks', verifyWebhook({ scheme: 'standard', secrets: SECRET }), (_req, res) => {
      res.json({ reached: true });
    });
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      seen = err;
      res.status(500).json({ error: 'internal' });
    });
    const url = await start(app);
    const d = delivery('msg_parsed');
    const res = await call(url, '/hooks', { method: 'POST', headers: d.headers, body: d.body });
    expect(res.status).toBe(500);
    expect(seen).toBeInstanceOf(TypeError);
    expect(String((seen as Error).message)).toMatch(/raw body bytes/);
  });

  it('refuses an oversize body with 413 problem+json while reading', async () => {
    const app = express();
    app.post(
      '/hooks',
      verifyWebhook({ scheme: 'standard', secrets: SECRET, maxBodyBytes: 1024 }),
      (_req, res) => {
        res.json({ reached: true });
      },
    );
    const url = await start(app);
    const d = delivery('msg_big');
    const res = await call(url, '/hooks', { method: 'POST', headers: d.headers, body: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect((res.json() as { code: string }).code).toBe('WEBHOOK_BODY_TOO_LARGE');
  });

  it('refuses a content-encoded body with 415 problem+json instead of verifying inflated bytes', async () => {
    const app = express();
    app.post('/hooks', verifyWebhook({ scheme: 'standard', secrets: SECRET }), (_req, res) => {
      res.json({ reached: true });
    });
    const url = await start(app);
    // signed over the JSON, then gzipped: which bytes are "the body" would differ between adapters
    const d = delivery('msg_gzip');
    for (const [encoding, body] of [
      ['gzip', new Uint8Array(gzipSync(d.body))],
      ['x-bogus', d.body],
      ['identity, gzip', new Uint8Array(gzipSync(d.body))],
    ] as const) {
      const res = await call(url, '/hooks', {
        method: 'POST',
        headers: { ...d.headers, 'content-encoding': encoding },
        body,
      });
      expect(res.status, encoding).toBe(415);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((res.json() as { code: string }).code).toBe('WEBHOOK_CONTENT_ENCODING_UNSUPPORTED');
    }
    const plain = await call(url, '/hooks', {
      method: 'POST',
      headers: { ...d.headers, 'content-encoding': 'identity' },
      body: d.body,
    });
    expect(plain.status).toBe(200);
  });
});

describe('express verifyWebhook: core’s settled check', () => {
  const SECRET = 'gh-webhook-secret-0123456789';
  const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const post = (url: string, body: string, signature: string, id: string) =>
    call(url, '/hook', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        'x-github-delivery': id,
        'x-github-event': 'ping',
      },
      body,
    });

  it('refuses a forged delivery without a promise from check(), and still admits a signed one', async () => {
    const verifier = createWebhookVerifier({ scheme: 'github', secrets: SECRET });
    // check() unusable: only the settled check can answer these deliveries.
    verifier.check = () => Promise.reject(new Error('check() was called'));
    const app = express();
    app.post('/hook', verifyWebhook(verifier), (req, res) => {
      res.json({ id: req.webhook!.id });
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: err.message });
    });
    const url = await start(app);
    const body = '{"zen":"hi"}';
    const forged = await post(url, body, sign('other'), 'd-1');
    expect(forged.status).toBe(401);
    expect(forged.headers['content-type']).toBe('application/problem+json');
    const signed = await post(url, body, sign(body), 'd-2');
    expect(signed.status).toBe(200);
    expect(signed.json()).toEqual({ id: 'd-2' });
  });
});
