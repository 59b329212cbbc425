import type { Verdict } from '../verdict.js';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createMemoryReplayStore } from '../stores/memory.js';
import type { WebhookDelivery } from './delivery.js';
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

async function delivery(id: string): Promise<RequestLike> {
  const body = '{"n":1}';
  const headers = await signWebhook({ secret: SECRET, id, body });
  return { method: 'POST', url: '/hooks', header: (n) => headers[n], rawBody: encoder.encode(body) };
}

async function claimed(verdict: Promise<unknown>): Promise<WebhookDelivery> {
  const v = (await verdict) as { ok: boolean; value: WebhookDelivery };
  if (!v.ok) throw new Error('expected a fresh claim');
  return v.value;
}

/**
 * A handler that outlives processingTtlMs while the sender retries: the store's clock is driven by hand so the
 * lapse is exact, not a race against the scheduler.
 */
function setup() {
  let t = 1_000_000;
  const events: SecurityEvent[] = [];
  const store = createMemoryReplayStore({ now: () => t });
  const verifier = createWebhookVerifier({
    scheme: 'standard',
    secrets: SECRET,
    replayStore: store,
    processingTtlMs: 1_000,
    onEvent: (e) => events.push(e),
  });
  return { verifier, events, lapse: () => (t += 1_000) };
}

describe('fenced claims: a delivery that outlived its claim cannot undo the retry', () => {
  it('a late failure does not delete the retry\'s "done": the event runs twice, never three times', async () => {
    const { verifier, events, lapse } = setup();
    const req = await delivery('msg_late_fail');
    let runs = 0;
    const slow = await claimed(verifier.check(req));
    lapse();
    const retry = await claimed(verifier.check(req));
    await retry.run(() => runs++);
    // the slow handler finally fails and releases: that must not reopen the event
    await expect(
      slow.run(() => {
        runs++;
        throw new Error('timeout talking to the database');
      }),
    ).rejects.toThrow('timeout');
    const third = await verifier.check(req);
    expect(isDuplicateAnswer(third)).toBe(true);
    if (third.ok) await third.value.run(() => runs++);
    expect(runs).toBe(2);
    const lost = events.filter((e) => e.type === 'webhook.claim_lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.detail).toMatch(/^release skipped: .*msg_late_fail.*processingTtlMs 1000/);
  });

  it("a late success does not overwrite the retry's live claim; the retry's failure reopens the event", async () => {
    const { verifier, events, lapse } = setup();
    const req = await delivery('msg_late_ok');
    const slow = await claimed(verifier.check(req));
    lapse();
    const retry = await claimed(verifier.check(req));
    await slow.settle(true);
    expect(events.map((e) => e.type)).toEqual(['webhook.claim_lost']);
    expect(events[0]?.detail).toMatch(/^complete skipped/);
    // the retry still holds the event: a concurrent delivery is told to come back later
    const concurrent = await verifier.check(req);
    expect(concurrent.ok || concurrent.error?.code).toBe('WEBHOOK_IN_PROGRESS');
    await retry.settle(false);
    const next = await verifier.check(req);
    expect(next.ok).toBe(true);
  });

  it('a late success with nobody holding the event records it as done', async () => {
    const { verifier, events, lapse } = setup();
    const req = await delivery('msg_lapsed');
    const slow = await claimed(verifier.check(req));
    lapse();
    await slow.settle(true);
    expect(events).toEqual([]);
    const again = await verifier.check(req);
    expect(isDuplicateAnswer(again)).toBe(true);
  });
});
