import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { RequestLike } from '../http/request.js';
import { signWebhook } from './sign.js';
import { createWebhookVerifier } from './verifier.js';

const encoder = new TextEncoder();

function request(headers: Record<string, string>, body: string | Uint8Array): RequestLike {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: 'POST',
    url: '/hooks',
    header: (n) => lower[n],
    headerValues: (n) => (lower[n] === undefined ? [] : [lower[n]!]),
    rawBody: typeof body === 'string' ? encoder.encode(body) : body,
  };
}

// Published Standard Webhooks vector (spec and reference libraries).
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SW_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SW_TS = 1614265330;
const SW_PAYLOAD = '{"test": 2432232314}';
const SW_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

// Published GitHub vector (GitHub docs, "Validating webhook deliveries").
const GH_SECRET = "It's a Secret to Everybody";
const GH_PAYLOAD = 'Hello, World!';
const GH_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const stripe = new Stripe('sk_test_not_used');
const STRIPE_SECRET = 'whsec_bulwark_test_secret_0123456789';

describe('published vectors', () => {
  it('verifies the Standard Webhooks vector', async () => {
    const v = createWebhookVerifier({ scheme: 'standard', secrets: SW_SECRET, now: () => SW_TS * 1000 });
    const headers = {
      'webhook-id': SW_ID,
      'webhook-timestamp': String(SW_TS),
      'webhook-signature': SW_SIGNATURE,
    };
    const verdict = await v.check(request(headers, SW_PAYLOAD));
    expect(verdict.ok).toBe(true);
    if (verdict.ok) {
      expect(verdict.value.id).toBe(SW_ID);
      expect(verdict.value.timestamp).toBe(SW_TS);
      expect(verdict.value.json()).toEqual({ test: 2432232314 });
    }
  });

  it('signs the Standard Webhooks vector byte for byte', async () => {
    const headers = await signWebhook({ secret: SW_SECRET, id: SW_ID, timestamp: SW_TS, body: SW_PAYLOAD });
    expect(headers).toEqual({
      'webhook-id': SW_ID,
      'webhook-timestamp': String(SW_TS),
      'webhook-signature': SW_SIGNATURE,
    });
  });

  it('verifies and signs the GitHub vector', async () => {
    const v = createWebhookVerifier({ scheme: 'github', secrets: GH_SECRET });
    const headers = { 'x-hub-signature-256': GH_SIGNATURE, 'x-github-delivery': 'd1' };
    expect((await v.check(request(headers, GH_PAYLOAD))).ok).toBe(true);
    const ours = await signWebhook({ scheme: 'github', secret: GH_SECRET, body: GH_PAYLOAD, id: 'd1' });
    expect(ours['x-hub-signature-256']).toBe(GH_SIGNATURE);
  });
});

describe('standardwebhooks library', () => {
  const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
  const wh = new Webhook(secret);

  it('its signatures verify in ours', async () => {
    const v = createWebhookVerifier({ scheme: 'standard', secrets: secret });
    const body = JSON.stringify({ type: 'invoice.paid', amount: 4200, note: 'café ☕' });
    const ts = new Date();
    const headers = {
      'webhook-id': 'msg_interop_1',
      'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
      'webhook-signature': wh.sign('msg_interop_1', ts, body),
    };
    const verdict = await v.check(request(headers, body));
    expect(verdict.ok).toBe(true);
  });

  it('ours verify in theirs', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', amount: 4200, note: 'café ☕' });
    const headers = await signWebhook({ secret, id: 'msg_interop_2', body });
    expect(wh.verify(body, headers)).toEqual({ type: 'invoice.paid', amount: 4200, note: 'café ☕' });
  });

  it('a rotation: any of several secrets verifies, signatures list several entries', async () => {
    const old = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const v = createWebhookVerifier({ scheme: 'standard', secrets: [old, secret] });
    const body = '{"rotated":true}';
    const ts = new Date();
    const signature = `${new Webhook(old).sign('msg_rot', ts, body)} ${wh.sign('msg_rot', ts, body)}`;
    const headers = {
      'webhook-id': 'msg_rot',
      'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect((await v.check(request(headers, body))).ok).toBe(true);
  });

  it('verifies v1a (Ed25519) signatures with a configured public key', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    const whpk = `whpk_${Buffer.from(raw).toString('base64')}`;
    const v = createWebhookVerifier({ scheme: 'standard', publicKeys: [whpk] });
    const body = '{"asymmetric":true}';
    const headers = await signWebhook({ secret, id: 'msg_ed', body, ed25519PrivateKey: pair.privateKey });
    // Only the v1a entry can match: the verifier holds no HMAC secret.
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1a,\S+$/);
    expect((await v.check(request(headers, body))).ok).toBe(true);
    const tampered = await v.check(request(headers, '{"asymmetric":false}'));
    expect(tampered.ok || tampered.error?.code).toBe('WEBHOOK_SIGNATURE_MISMATCH');
  });
});

describe('stripe library', () => {
  it('generateTestHeaderString signatures verify in ours, with the event id from the body', async () => {
    const v = createWebhookVerifier({ scheme: 'stripe', secrets: STRIPE_SECRET });
    const payload = JSON.stringify({ id: 'evt_1OfX', object: 'event', type: 'charge.succeeded' });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    const verdict = await v.check(request({ 'stripe-signature': header }, payload));
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.value.id).toBe('evt_1OfX');
  });

  it('ours verify in constructEvent', async () => {
    const payload = JSON.stringify({ id: 'evt_2', object: 'event' });
    const headers = await signWebhook({ scheme: 'stripe', secret: STRIPE_SECRET, body: payload });
    const event = stripe.webhooks.constructEvent(payload, headers['stripe-signature']!, STRIPE_SECRET);
    expect(event.id).toBe('evt_2');
  });
});

describe('@octokit/webhooks-methods', () => {
  const secret = 'octokit-interop-secret-0123';

  it('its signatures verify in ours', async () => {
    const v = createWebhookVerifier({ scheme: 'github', secrets: secret });
    const payload = JSON.stringify({ action: 'opened', number: 7 });
    const headers = {
      'x-hub-signature-256': await octokitSign(secret, payload),
      'x-github-delivery': 'guid-1',
    };
    const verdict = await v.check(request(headers, payload));
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.value.id).toBe('guid-1');
  });

  it('ours verify in theirs', async () => {
    const payload = JSON.stringify({ action: 'closed' });
    const headers = await signWebhook({ scheme: 'github', secret, body: payload, id: 'guid-2' });
    expect(await octokitVerify(secret, payload, headers['x-hub-signature-256']!)).toBe(true);
  });
});
