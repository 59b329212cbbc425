import { randomBytes, randomUUID } from 'node:crypto';
import type { ProbeResponse } from '../client.js';
import { defineRules } from '../findings.js';
import type { CheckContext } from './context.js';
import { isSignatureHeader, sampleTime } from './webhook-sample.js';

const DOCS = 'docs/webhooks.md';
const VERIFY = {
  bulwark:
    "app.post('/webhooks', verifyWebhook({ scheme: 'stripe', secrets: [process.env.WEBHOOK_SECRET], replayStore }), handler) // before express.json()",
  plain:
    "stripe.webhooks.constructEvent(rawBody, req.get('stripe-signature'), secret) // express.raw() body, the sender's library",
};

/** The webhook rules. */
export const WEBHOOK_RULES = defineRules('webhooks', {
  unsignedAccepted: {
    id: 'webhooks.unsigned-accepted',
    severity: 'critical',
    title: 'Unsigned webhook delivery accepted',
    why: 'Anyone who knows the URL can post events (a fake “payment succeeded”).',
    fix: VERIFY,
    docs: DOCS,
  },
  forgedAccepted: {
    id: 'webhooks.forged-accepted',
    severity: 'critical',
    title: 'Webhook delivery with a made-up signature accepted',
    why: 'The signature header is only checked for presence or shape, not verified with the secret.',
    fix: VERIFY,
    docs: DOCS,
  },
  bodyNotSigned: {
    id: 'webhooks.body-not-signed',
    severity: 'critical',
    title: 'Changed webhook body accepted with the original signature',
    why: 'The signature does not cover the body the handler acts on: an attacker edits a captured delivery.',
    fix: VERIFY,
    docs: DOCS,
  },
  reserializedBody: {
    id: 'webhooks.reserialized-body',
    severity: 'medium',
    title: 'Webhook signature checked over re-serialised JSON, not the raw body',
    why: 'The bytes that were signed are not the bytes verified: duplicate keys and number precision parse differently, and genuine deliveries formatted differently are refused.',
    fix: {
      bulwark: 'verifyWebhook({ ... }) // reads the raw bytes itself; mount it before express.json()',
      plain:
        "app.post('/webhooks', express.raw({ type: 'application/json' }), ...) and verify req.body (a Buffer) with crypto.timingSafeEqual",
    },
    docs: DOCS,
  },
  staleAccepted: {
    id: 'webhooks.stale-accepted',
    severity: 'high',
    title: 'Stale webhook delivery accepted',
    why: 'A captured delivery can be replayed at any time: the signed timestamp is not checked against a tolerance.',
    fix: {
      bulwark: 'verifyWebhook({ ..., toleranceSeconds: 300 }) // the default, checked in both directions',
      plain: 'Refuse deliveries whose signed timestamp is more than 5 minutes from now.',
    },
    docs: DOCS,
  },
  replayAccepted: {
    id: 'webhooks.replay-accepted',
    severity: 'high',
    title: 'Replayed webhook delivery processed as new',
    why: 'The same event id was answered like a new delivery twice, with no duplicate marker: the handler ran twice (an order shipped or credited twice) unless it deduplicates silently.',
    fix: {
      bulwark:
        'verifyWebhook({ ..., replayStore }) // a done event id is answered 200 {"duplicate":true} without the handler',
      plain:
        'Record each event id (webhook-id, Stripe event id) with a unique constraint before acting; answer duplicates without acting.',
    },
    docs: DOCS,
  },
});
const R = WEBHOOK_RULES;

const ok = (res: ProbeResponse) => res.status >= 200 && res.status < 300;
const DUPLICATE = /duplicate|already|replay/i;
const STALE_SECONDS = 300;

/** Replace every long base64/hex run in a signature value with random characters of the same shape. */
function forgeValue(value: string): string {
  return value.replace(/[A-Za-z0-9+/_-]{20,}={0,2}/g, (run) => {
    const hex = /^[0-9a-f]+$/.test(run);
    const bytes = randomBytes(run.length);
    return hex
      ? bytes.toString('hex').slice(0, run.length)
      : bytes.toString('base64').slice(0, run.length).replace(/=/g, 'A');
  });
}

/**
 * The webhook area (with `--webhook <path>`): an unsigned delivery and deliveries with made-up signatures
 * (Standard Webhooks, Stripe, GitHub, and the sample's own scheme) must be refused. With a signed sample
 * (`--webhook-headers` + `--webhook-body`): a stale one must be refused; a fresh one with its body changed
 * or re-serialised must be refused, and sent twice must not be processed twice.
 */
export async function checkWebhooks(ctx: CheckContext): Promise<void> {
  if (ctx.options.webhook === undefined) {
    ctx.notChecked('webhooks', 'every webhook check', 'no --webhook <path> given');
    return;
  }
  ctx.phase('webhooks');
  const url = new URL(ctx.options.webhook, ctx.targets[0]!.url);
  const where = url.href;
  const post = (headers: readonly (readonly [string, string])[], body: Uint8Array | string) =>
    ctx.client.send({
      method: 'POST',
      url,
      headers: [['content-type', 'application/json'], ...headers.filter(([n]) => n !== 'content-type')],
      body,
    });
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id: `evt_bulwark_audit_${randomBytes(6).toString('hex')}`,
    type: 'bulwark.audit',
    data: {},
  });

  const unsigned = await post([], body);
  if (ok(unsigned))
    ctx.found(
      R.unsignedAccepted,
      where,
      `a delivery with no signature header was answered ${unsigned.status}`,
      [ctx.evidence(unsigned, true)],
    );
  const sample = ctx.options.webhookSample;
  const forgeries: [string, [string, string][]][] = [
    [
      'Standard Webhooks',
      [
        ['webhook-id', `msg_bulwark_audit_${randomBytes(6).toString('hex')}`],
        ['webhook-timestamp', String(now)],
        ['webhook-signature', `v1,${randomBytes(32).toString('base64')}`],
      ],
    ],
    ['Stripe', [['stripe-signature', `t=${now},v1=${randomBytes(32).toString('hex')}`]]],
    [
      'GitHub',
      [
        ['x-hub-signature-256', `sha256=${randomBytes(32).toString('hex')}`],
        ['x-github-delivery', randomUUID()],
        ['x-github-event', 'ping'],
      ],
    ],
  ];
  if (sample !== undefined) {
    forgeries.unshift([
      'the sample’s scheme',
      sample.headers.map(([n, v]) => [n, isSignatureHeader(n) ? forgeValue(v) : v] as [string, string]),
    ]);
  }
  if (!ok(unsigned)) {
    for (const [scheme, headers] of forgeries) {
      const res = await post(headers, body);
      if (ok(res)) {
        ctx.found(
          R.forgedAccepted,
          where,
          `a delivery with a random ${scheme} signature was answered ${res.status}`,
          [ctx.evidence(res, true)],
        );
        break;
      }
    }
  }
  if (sample === undefined) {
    ctx.notChecked(
      'webhooks',
      'tampering, staleness and replay',
      'need a genuine signed delivery: --webhook-headers <file> --webhook-body <file>',
    );
    return;
  }
  for (const [n, v] of sample.headers) if (isSignatureHeader(n)) ctx.secrets.add(v);
  await withSample(ctx, where, sample.headers, sample.body, post);
}

async function withSample(
  ctx: CheckContext,
  where: string,
  headers: readonly (readonly [string, string])[],
  body: Uint8Array,
  post: (h: readonly (readonly [string, string])[], b: Uint8Array | string) => Promise<ProbeResponse>,
): Promise<void> {
  const time = sampleTime(headers);
  const age = time === undefined ? undefined : Math.floor(Date.now() / 1000) - time.seconds;
  if (time === undefined)
    ctx.notChecked(
      'webhooks',
      'staleness',
      'the sample has no signed timestamp (GitHub signs none): nothing bounds how long a capture stays valid',
    );
  if (age !== undefined && age > STALE_SECONDS) {
    const res = await post(headers, body);
    if (!ok(res)) {
      ctx.notChecked(
        'webhooks',
        'tampering and replay',
        `the sample is ${age} s old and was refused (${res.status}), as it should be; give a fresh sample to check tampering and replay`,
      );
      return;
    }
    ctx.found(
      R.staleAccepted,
      where,
      `a delivery signed ${age} s ago (${time!.header}) was answered ${res.status}`,
      [ctx.evidence(res, true)],
    );
  }
  const text = Buffer.from(body).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  const changed = isObject ? JSON.stringify({ ...(parsed as object), bulwark_audit: true }) : `${text} `;
  const tampered = await post(headers, changed);
  if (ok(tampered)) {
    ctx.found(
      R.bodyNotSigned,
      where,
      `the sample with a field added to its body was answered ${tampered.status}`,
      [ctx.evidence(tampered, true)],
    );
  } else if (parsed !== undefined) {
    const pretty = JSON.stringify(parsed, null, 2);
    const reformatted = pretty === text ? JSON.stringify(parsed) : pretty;
    if (reformatted !== text) {
      const res = await post(headers, reformatted);
      if (ok(res))
        ctx.found(
          R.reserializedBody,
          where,
          `the sample's body re-formatted (same JSON, other bytes) was answered ${res.status}`,
          [ctx.evidence(res, true)],
        );
    }
  }
  const first = age !== undefined && age > STALE_SECONDS ? undefined : await post(headers, body);
  if (first !== undefined && !ok(first)) {
    ctx.notChecked(
      'webhooks',
      'replay',
      `the genuine sample was refused (${first.status}); is it still within its sender's tolerance?`,
    );
    return;
  }
  const again = await post(headers, body);
  if (ok(again) && !DUPLICATE.test(again.text()) && again.status !== 208) {
    ctx.found(
      R.replayAccepted,
      where,
      `the same delivery sent again was answered ${again.status} with no duplicate marker`,
      [ctx.evidence(again, true)],
    );
  }
}
