import { createHmac } from 'node:crypto';
import { createWebhookVerifier, type WebhookVerifier } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { protect } from '../src/index.js';

// The webhook stage carries out the verifier's settled answer (core's webhookCheckNow) without awaiting a
// promise from check(): a forged delivery is refused from it. Every answer is the one a verifier seen through
// its promise-returning check() gives.

const SECRET = 'webhook-secret-of-32-characters!';
const BODY = '{"action":"opened"}';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

const CHECK_NOW = Symbol.for('bulwark.webhooks.checkNow');

/** The verifier seen through its public check() only (as one from a copy of core without webhookCheckNow). */
function promiseOnly(verifier: WebhookVerifier): WebhookVerifier {
  return new Proxy(verifier, { get: (t, k) => (k === CHECK_NOW ? undefined : Reflect.get(t, k)) });
}

/** The verifier whose check() must not be called: only its settled entry point answers. */
function settledOnly(verifier: WebhookVerifier): WebhookVerifier {
  return new Proxy(verifier, {
    get: (t, k) =>
      k === 'check'
        ? () => {
            throw new Error('check() called');
          }
        : Reflect.get(t, k),
  });
}

const deliveries: Record<string, Record<string, string>> = {
  forged: { 'x-hub-signature-256': sign('{"action":"closed"}') },
  'no signature': {},
  'bad header': { 'x-hub-signature-256': 'sha256=zz' },
};

const post = (headers: Record<string, string>) =>
  new Request('http://api.test/hooks', {
    method: 'POST',
    body: BODY,
    headers: { 'content-type': 'application/json', 'x-github-delivery': crypto.randomUUID(), ...headers },
  });

const answers = async (verifier: WebhookVerifier) => {
  const handler = protect(() => new Response(null, { status: 204 }), { webhook: verifier });
  const out = [];
  for (const [name, headers] of Object.entries(deliveries)) {
    const res = await handler(post(headers));
    out.push({ name, status: res.status, headers: [...res.headers], body: await res.text() });
  }
  return out;
};

describe('fetch webhook stage: a settled refusal is not awaited through check()', () => {
  const verifier = () => createWebhookVerifier({ scheme: 'github', secrets: SECRET });

  it('refuses forged and malformed deliveries from the settled check, without calling check()', async () => {
    const out = await answers(settledOnly(verifier()));
    expect(out.map((r) => r.status)).toEqual([401, 400, 400]);
    expect(JSON.parse(out[0]!.body)).toMatchObject({ code: 'WEBHOOK_SIGNATURE_MISMATCH' });
  });

  it('answers as the verifier seen through check() only does, and still admits a signed delivery', async () => {
    expect(await answers(verifier())).toEqual(await answers(promiseOnly(verifier())));
    const handler = protect((_r, { webhook }) => Response.json({ id: webhook?.id }), { webhook: verifier() });
    const res = await handler(post({ 'x-hub-signature-256': sign(BODY), 'x-github-delivery': 'd-1' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'd-1' });
  });
});
