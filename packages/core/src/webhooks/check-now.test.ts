import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import type { ClaimResult, ReplayStore } from '../stores/types.js';
import { createMemoryReplayStore } from '../stores/memory.js';
import type { Verdict } from '../verdict.js';
import type { WebhookDelivery } from './delivery.js';
import { createWebhookVerifier, webhookCheckNow } from './verifier.js';

const SECRET = 'github-secret-0123456789';
const BODY = new TextEncoder().encode('{"zen":"Keep it logically awesome.","hook_id":1}');
const mac = (body: Uint8Array): string => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

/** A GitHub delivery: its headers as given (lowercase names), the body as bytes. */
function delivery(headers: Record<string, string>): RequestLike {
  return { method: 'POST', url: '/hooks/github', header: (n) => headers[n] };
}

const DELIVERY_ID = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const cases: Record<string, Record<string, string>> = {
  forged: { 'x-hub-signature-256': `sha256=${'5a'.repeat(32)}`, 'x-github-delivery': DELIVERY_ID },
  malformed: { 'x-hub-signature-256': 'sha256=zz', 'x-github-delivery': DELIVERY_ID },
  'no signature': { 'x-github-delivery': DELIVERY_ID },
  encoded: { 'x-hub-signature-256': mac(BODY), 'x-github-delivery': DELIVERY_ID, 'content-encoding': 'gzip' },
};

/** What a verdict tells a client and a handler, without the delivery's functions. */
const seen = (v: Verdict<WebhookDelivery>) =>
  v.ok
    ? { ok: true, id: v.value.id, headers: v.headers }
    : { ok: false, reply: v.reply, code: v.error?.code };

describe('webhookCheckNow', () => {
  it('refuses a delivery before its claim without a promise, with the verdict and events check() gives', async () => {
    const events: SecurityEvent[][] = [[], []];
    const [a, b] = events.map((list) =>
      createWebhookVerifier({ scheme: 'github', secrets: SECRET, onEvent: (e) => list.push(e) }),
    );
    const now = webhookCheckNow(a!);
    expect(now).toBeTypeOf('function');
    for (const [name, headers] of Object.entries(cases)) {
      const settled = now!(delivery(headers), BODY);
      expect(settled, name).not.toBeInstanceOf(Promise);
      const viaCheck = await b!.check(delivery(headers), BODY);
      expect(seen(settled as Verdict<WebhookDelivery>), name).toEqual(seen(viaCheck));
      expect((settled as Verdict<WebhookDelivery>).ok, name).toBe(false);
    }
    expect(events[0]!.map((e) => e.type)).toEqual(events[1]!.map((e) => e.type));
    expect(events[0]!.map((e) => e.code)).toEqual([
      'WEBHOOK_SIGNATURE_MISMATCH',
      'WEBHOOK_SIGNATURE_MALFORMED',
      'WEBHOOK_HEADER_MISSING',
      'WEBHOOK_CONTENT_ENCODING_UNSUPPORTED',
    ]);
  });

  it('waits for the replay store on an authentic delivery: claimed once, then answered as a duplicate', async () => {
    let claims = 0;
    const memory = createMemoryReplayStore();
    // A store that answers later, as Redis does.
    const store: ReplayStore = {
      ...memory,
      claim: async (key: string, ttlMs: number): Promise<ClaimResult> => {
        claims++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        return memory.claim(key, ttlMs);
      },
    };
    const v = createWebhookVerifier({ scheme: 'github', secrets: SECRET, replayStore: store });
    const now = webhookCheckNow(v)!;
    const req = delivery({ 'x-hub-signature-256': mac(BODY), 'x-github-delivery': DELIVERY_ID });
    const first = now(req, BODY);
    expect(first).toBeInstanceOf(Promise);
    const verdict = await first;
    expect(verdict.ok && verdict.value.id).toBe(DELIVERY_ID);
    if (verdict.ok) await verdict.value.run(async () => undefined);
    const again = await now(req, BODY);
    expect(again.ok).toBe(false);
    expect(again.ok ? undefined : again.reply.body).toBe('{"received":true,"duplicate":true}');
    expect(claims).toBe(2);
  });

  it('throws where check() rejects (a body that is not bytes), and is undefined for another object', async () => {
    const v = createWebhookVerifier({ scheme: 'github', secrets: SECRET });
    const req = delivery(cases.forged!);
    expect(() => webhookCheckNow(v)!(req, 'text' as unknown as Uint8Array)).toThrow(TypeError);
    await expect(v.check(req, 'text' as unknown as Uint8Array)).rejects.toThrow(TypeError);
    expect(webhookCheckNow({ ...v, [Symbol.for('bulwark.webhooks.checkNow')]: undefined })).toBeUndefined();
  });
});
