import type { Verdict } from '../verdict.js';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createMemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore } from '../stores/types.js';
import { signWebhook } from './sign.js';
import { createWebhookVerifier } from './verifier.js';

/** The verifier answered the delivery itself: an event already processed is acknowledged, the handler never runs. */
const isDuplicateAnswer = (v: Verdict<unknown>): boolean =>
  !v.ok &&
  v.error === undefined &&
  v.reply.status === 200 &&
  v.reply.body === '{"received":true,"duplicate":true}';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const encoder = new TextEncoder();

async function delivery(id: string, body = '{"n":1}'): Promise<RequestLike> {
  const headers = await signWebhook({ secret: SECRET, id, body });
  return {
    method: 'POST',
    url: '/hooks',
    header: (n) => headers[n],
    headerValues: (n) => (headers[n] === undefined ? [] : [headers[n]!]),
    rawBody: encoder.encode(body),
  };
}

describe('idempotency', () => {
  it('runs the handler once; a replay of the same delivery is a duplicate that skips the handler', async () => {
    const events: SecurityEvent[] = [];
    const v = createWebhookVerifier({ scheme: 'standard', secrets: SECRET, onEvent: (e) => events.push(e) });
    const req = await delivery('msg_once');
    let runs = 0;
    const first = await v.check(req);
    expect(first.ok).toBe(true);
    if (first.ok) await first.value.run(() => runs++);
    const again = await v.check(req);
    expect(isDuplicateAnswer(again)).toBe(true);
    expect(runs).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['webhook.replayed']);
  });

  it('a failing handler releases the claim so the retry is processed', async () => {
    const v = createWebhookVerifier({ scheme: 'standard', secrets: SECRET });
    const req = await delivery('msg_retry');
    const first = await v.check(req);
    if (!first.ok) throw new Error('expected a verified delivery');
    await expect(
      first.value.run(() => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    const retry = await v.check(req);
    expect(retry.ok).toBe(true);
    let handled = false;
    if (retry.ok) await retry.value.run(() => (handled = true));
    expect(handled).toBe(true);
    const third = await v.check(req);
    expect(isDuplicateAnswer(third)).toBe(true);
  });

  it('a concurrent copy while the first is processing gets 409 with Retry-After, not a 200', async () => {
    const v = createWebhookVerifier({ scheme: 'standard', secrets: SECRET });
    const req = await delivery('msg_concurrent');
    const first = await v.check(req);
    const second = await v.check(req);
    expect(first.ok).toBe(true);
    expect(second.ok).toBe(false);
    if (!second.ok) {
      expect(second.error?.code).toBe('WEBHOOK_IN_PROGRESS');
      expect(second.error?.status).toBe(409);
      expect(Object.fromEntries(second.reply.headers)['retry-after']).toBe('30');
    }
  });

  it('two-phase claims go through the configured store with the configured lifetimes', async () => {
    const calls: string[] = [];
    const inner = createMemoryReplayStore();
    const store: ReplayStore = {
      claim(k, ttl) {
        calls.push(`claim ${k} ${ttl}`);
        return inner.claim(k, ttl);
      },
      complete(k, token, ttl) {
        calls.push(`complete ${k} ${ttl}`);
        return inner.complete(k, token, ttl);
      },
      release(k, token) {
        calls.push(`release ${k}`);
        return inner.release(k, token);
      },
    };
    const v = createWebhookVerifier({
      scheme: 'standard',
      secrets: SECRET,
      replayStore: store,
      processingTtlMs: 5_000,
      idempotencyTtlMs: 900_000,
      keyPrefix: 'orders:',
    });
    const ok = await v.check(await delivery('msg_a'));
    if (ok.ok) await ok.value.settle(true);
    if (ok.ok) await ok.value.settle(false); // second settle is a no-op
    const failed = await v.check(await delivery('msg_b'));
    if (failed.ok) await failed.value.settle(false);
    expect(calls).toEqual([
      'claim orders:msg_a 5000',
      'complete orders:msg_a 900000',
      'claim orders:msg_b 5000',
      'release orders:msg_b',
    ]);
  });

  it('fails closed with 503 when the replay store fails, and the handler never runs', async () => {
    const events: SecurityEvent[] = [];
    const broken: ReplayStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6390')),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(true),
    };
    const v = createWebhookVerifier({
      scheme: 'standard',
      secrets: SECRET,
      replayStore: broken,
      onEvent: (e) => events.push(e),
    });
    const verdict = await v.check(await delivery('msg_store'));
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.error?.code).toBe('WEBHOOK_STORE_UNAVAILABLE');
      expect(verdict.error?.status).toBe(503);
    }
    expect(events[0]?.type).toBe('webhook.store_failed');
  });

  it('a full memory store fails closed too', async () => {
    const v = createWebhookVerifier({
      scheme: 'standard',
      secrets: SECRET,
      replayStore: createMemoryReplayStore({ maxEntries: 1 }),
    });
    expect((await v.check(await delivery('msg_1'))).ok).toBe(true);
    const second = await v.check(await delivery('msg_2'));
    expect(second.ok || second.error?.code).toBe('WEBHOOK_STORE_UNAVAILABLE');
  });

  it('verifySignature checks without claiming', async () => {
    const v = createWebhookVerifier({ scheme: 'standard', secrets: SECRET });
    const req = await delivery('msg_sig_only');
    expect((await v.verifySignature(req)).ok).toBe(true);
    const claimed = await v.check(req);
    expect(claimed.ok).toBe(true);
  });
});

describe('configuration', () => {
  const cases: [string, () => unknown, string][] = [
    ['no secret', () => createWebhookVerifier({ scheme: 'standard' }), 'webhooks.secrets'],
    [
      'short secret',
      () => createWebhookVerifier({ scheme: 'github', secrets: 'short' }),
      'webhooks.secrets[0]',
    ],
    [
      'bad whsec',
      () => createWebhookVerifier({ scheme: 'standard', secrets: 'whsec_!!!' }),
      'webhooks.secrets[0]',
    ],
    [
      'unknown scheme',
      () => createWebhookVerifier({ scheme: 'svix' as 'standard', secrets: SECRET }),
      'webhooks.scheme',
    ],
    [
      'tolerance too wide',
      () => createWebhookVerifier({ scheme: 'standard', secrets: SECRET, toleranceSeconds: 86_400 }),
      'webhooks.toleranceSeconds',
    ],
    [
      'claims shorter than the replay window',
      () => createWebhookVerifier({ scheme: 'standard', secrets: SECRET, idempotencyTtlMs: 300_000 }),
      'webhooks.idempotencyTtlMs',
    ],
    [
      'public keys on Stripe',
      () =>
        createWebhookVerifier({ scheme: 'stripe', secrets: 'whsec_0123456789abcdef', publicKeys: 'whpk_x' }),
      'webhooks.publicKeys',
    ],
    [
      'generic scheme signing a timestamp it cannot read',
      () =>
        createWebhookVerifier({
          scheme: {
            type: 'hmac',
            signatureHeader: 'x-sig',
            encoding: 'hex',
            idHeader: 'x-id',
            signedContent: 'timestamp.body',
          },
          secrets: 'generic-secret-0123456789',
        }),
      'webhooks.scheme.timestampHeader',
    ],
  ];
  for (const [name, build, option] of cases) {
    it(`refuses ${name} at construction`, () => {
      let thrown: unknown;
      try {
        build();
      } catch (err) {
        thrown = err;
      }
      expect(isConfigError(thrown)).toBe(true);
      expect((thrown as { option: string }).option).toBe(option);
      expect(String((thrown as Error).message)).not.toContain('MfKQ9r8');
    });
  }
});

describe('generic HMAC scheme', () => {
  it('verifies timestamp.body signatures in base64url with a prefix', async () => {
    const secret = 'generic-secret-0123456789';
    const v = createWebhookVerifier({
      scheme: {
        type: 'hmac',
        signatureHeader: 'x-acme-signature',
        prefix: 'v1=',
        encoding: 'base64url',
        idHeader: 'x-acme-event',
        timestampHeader: 'x-acme-time',
        signedContent: 'timestamp.body',
      },
      secrets: secret,
    });
    const body = '{"hello":"world"}';
    const ts = String(Math.floor(Date.now() / 1000));
    const key = await crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = Buffer.from(await crypto.subtle.sign('HMAC', key, encoder.encode(`${ts}.${body}`))).toString(
      'base64url',
    );
    const headers: Record<string, string> = {
      'x-acme-signature': `v1=${mac}`,
      'x-acme-event': 'e1',
      'x-acme-time': ts,
    };
    const req: RequestLike = {
      method: 'POST',
      url: '/',
      header: (n) => headers[n],
      rawBody: encoder.encode(body),
    };
    const verdict = await v.check(req);
    expect(verdict.ok && verdict.value.id).toBe('e1');
    headers['x-acme-signature'] = `v1=${mac}=`;
    expect((await v.check(req)).ok || 'refused').toBe('refused');
  });
});

describe('one replay store, several senders', () => {
  const OTHER = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
  const thrown = (f: () => unknown): unknown => {
    try {
      f();
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it('refuses at startup two senders with different secrets under one keyPrefix of one store', () => {
    const store = createMemoryReplayStore();
    createWebhookVerifier({ scheme: 'standard', secrets: SECRET, replayStore: store });
    // the second sender's "msg_1" would be answered as a duplicate of the first's and never handled
    const err = thrown(() =>
      createWebhookVerifier({ scheme: 'standard', secrets: OTHER, replayStore: store }),
    );
    expect(isConfigError(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/keyPrefix/);
    expect(String((err as Error).message)).not.toContain(OTHER.slice(6));
    // the safe alternatives: a prefix per sender, or the same sender again (a rotation shares a secret)
    createWebhookVerifier({
      scheme: 'standard',
      secrets: OTHER,
      replayStore: store,
      keyPrefix: 'webhook:b:',
    });
    createWebhookVerifier({ scheme: 'standard', secrets: [OTHER, SECRET], replayStore: store });
    createWebhookVerifier({ scheme: 'standard', secrets: OTHER, replayStore: store });
    createWebhookVerifier({ scheme: 'stripe', secrets: 'whsec_another_stripe_secret', replayStore: store });
  });
});
