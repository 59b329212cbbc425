import { sign as octokitSign } from '@octokit/webhooks-methods';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { EVENT_ID } from './event-id.js';
import { signWebhook } from './sign.js';
import { createWebhookVerifier } from './verifier.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const encoder = new TextEncoder();

function request(headers: Record<string, string>, body: string): RequestLike {
  return { method: 'POST', url: '/hooks', header: (n) => headers[n], rawBody: encoder.encode(body) };
}

/** A delivery signed by the Standard Webhooks reference library, which signs whatever id it is given. */
function standardDelivery(id: string, ts: number, body: string): RequestLike {
  const signature = new Webhook(SECRET).sign(id, new Date(ts * 1000), body);
  return request({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature }, body);
}

async function outcome(v: ReturnType<typeof createWebhookVerifier>, req: RequestLike): Promise<string> {
  const verdict = await v.check(req);
  return verdict.ok ? `ok:${verdict.value.id}` : (verdict.error?.code ?? 'ANSWERED');
}

describe('event ids and the id.timestamp.body separator', () => {
  it('refuses a dotted id: its signature also fits a shifted split, a replay under another id', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = '{"n":1}';
    const events: SecurityEvent[] = [];
    const v = createWebhookVerifier({ scheme: 'standard', secrets: SECRET, onEvent: (e) => events.push(e) });
    // A sender whose ids embed a timestamp after a dot signs `order.<now>.<now>.{"n":1}` ...
    const genuine = standardDelivery(`order.${now}`, now, body);
    // ... which is byte for byte what the split (id 'order', timestamp now, body `<now>.{"n":1}`) signs.
    const shifted = request(
      {
        'webhook-id': 'order',
        'webhook-timestamp': String(now),
        'webhook-signature': genuine.header('webhook-signature')!,
      },
      `${now}.${body}`,
    );
    expect(await outcome(v, shifted)).toBe('ok:order');
    // Such a sender cannot be used at all, so no deployment accepts both readings of one signature.
    expect(await outcome(v, genuine)).toBe('WEBHOOK_ID_INVALID');
    expect(events.at(-1)?.detail).toMatch(/^webhook-id is not 1-256 characters .*no "\." or ":"/);
  });

  it('refuses ids outside the documented charset and length on every scheme that reads one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const standard = createWebhookVerifier({ scheme: 'standard', secrets: SECRET });
    const generic = createWebhookVerifier({
      scheme: {
        type: 'hmac',
        signatureHeader: 'x-sig',
        encoding: 'hex',
        idHeader: 'x-id',
        timestampHeader: 'x-ts',
        signedContent: 'id.timestamp.body',
      },
      secrets: 'generic-secret-0123456789',
    });
    const github = createWebhookVerifier({ scheme: 'github', secrets: 'github-secret-0123456789' });
    const bad = ['a.b', 'a:b', 'a b', 'a,b', 'a%2e', '{a}', 'é', 'a\tb', 'x'.repeat(257), '.', ''];
    for (const id of bad) {
      const body = '{"n":1}';
      if (id !== '' && !/[\t ]/.test(id) && !/[^\x20-\x7e]/.test(id)) {
        expect([id, await outcome(standard, standardDelivery(id, now, body))]).toEqual([
          id,
          'WEBHOOK_ID_INVALID',
        ]);
      }
      const gh = {
        'x-hub-signature-256': await octokitSign('github-secret-0123456789', body),
        'x-github-delivery': id,
      };
      const ghOutcome = await outcome(github, request(gh, body));
      // an empty header is a missing one; everything else is an invalid id
      expect([id, ghOutcome]).toEqual([id, id === '' ? 'WEBHOOK_HEADER_MISSING' : 'WEBHOOK_ID_INVALID']);
      const g = await outcome(
        generic,
        request({ 'x-sig': '00'.repeat(32), 'x-id': id, 'x-ts': String(now) }, body),
      );
      expect([id, g]).toEqual([id, id === '' ? 'WEBHOOK_HEADER_MISSING' : 'WEBHOOK_ID_INVALID']);
    }
    const longest = 'A-z_9+/='.repeat(32);
    expect(await outcome(standard, standardDelivery(longest, now, '{"n":1}'))).toBe(`ok:${longest}`);
    const uuid = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    const gh = {
      'x-hub-signature-256': await octokitSign('github-secret-0123456789', '{}'),
      'x-github-delivery': uuid,
    };
    expect(await outcome(github, request(gh, '{}'))).toBe(`ok:${uuid}`);
  });

  it('refuses a Stripe event whose signed body carries an id outside the charset', async () => {
    const stripe = new Stripe('sk_test_not_used');
    const secret = 'whsec_bulwark_test_secret_0123456789';
    const v = createWebhookVerifier({ scheme: 'stripe', secrets: secret });
    const check = async (id: unknown) => {
      const body = JSON.stringify({ id, object: 'event' });
      const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret });
      return outcome(v, request({ 'stripe-signature': header }, body));
    };
    expect(await check('evt_1NG8Du2eZvKYlo2CUI79vXWy')).toBe('ok:evt_1NG8Du2eZvKYlo2CUI79vXWy');
    expect(await check('evt.1')).toBe('WEBHOOK_ID_INVALID');
    expect(await check('evt:1')).toBe('WEBHOOK_ID_INVALID');
    expect(await check(42)).toBe('WEBHOOK_ID_INVALID');
  });

  it('signWebhook refuses to sign an id a receiver could split differently', async () => {
    for (const id of ['msg.1', 'msg:1', 'msg 1', '']) {
      let thrown: unknown;
      try {
        await signWebhook({ secret: SECRET, id, body: '{}' });
      } catch (err) {
        thrown = err;
      }
      expect([id, isConfigError(thrown) && (thrown as { option: string }).option]).toEqual([
        id,
        'webhooks.sign.id',
      ]);
    }
  });

  it('every signed id.timestamp. prefix splits back into exactly the id and timestamp that were signed', () => {
    const idChar = fc.constantFrom(...'ABCXYZabcxyz0189_-+/='.split(''));
    fc.assert(
      fc.property(
        fc.array(idChar, { minLength: 1, maxLength: 40 }).map((c) => c.join('')),
        fc.integer({ min: 0, max: 9_999_999_999 }),
        fc.string(),
        (id, ts, body) => {
          expect(EVENT_ID.test(id)).toBe(true);
          const signed = `${id}.${ts}.${body}`;
          const first = signed.indexOf('.');
          const second = signed.indexOf('.', first + 1);
          expect([signed.slice(0, first), signed.slice(first + 1, second), signed.slice(second + 1)]).toEqual(
            [id, String(ts), body],
          );
        },
      ),
    );
  });

  it("refuses a keyPrefix that does not end with ':' (two prefixes could otherwise share keys)", () => {
    for (const keyPrefix of ['orders', 'webhook:a', `${'x'.repeat(64)}:`]) {
      let thrown: unknown;
      try {
        createWebhookVerifier({ scheme: 'standard', secrets: SECRET, keyPrefix });
      } catch (err) {
        thrown = err;
      }
      expect([keyPrefix, isConfigError(thrown) && (thrown as { option: string }).option]).toEqual([
        keyPrefix,
        'webhooks.keyPrefix',
      ]);
    }
    createWebhookVerifier({ scheme: 'standard', secrets: SECRET, keyPrefix: 'orders:' });
  });
});
