// Webhook verification per delivery: bulwark (node:crypto back end, picked by the `node` import condition)
// against each sender's own library on the same bytes: standardwebhooks, stripe (constructEvent) and
// @octokit/webhooks-methods, plus the bare node:crypto floor; and the deny paths, with a count of the
// HMACs they compute (must be zero). Contract: see bench/README.md.
// Groups are timed on process CPU time (clock: 'cpu'): no case waits on I/O, and WebCrypto's work on the
// thread pool is process CPU time too. On a shared machine at a load of 40+ the wall clock measured the
// scheduler more than the code.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { compare, ensure } from './lib/micro.mjs';

export const title = 'Webhook verification';
export const peers = ['standardwebhooks', 'stripe', '@octokit/webhooks-methods'];

/** A ~1 KiB JSON event, like a typical invoice or push notification. */
function payload() {
  const items = Array.from({ length: 12 }, (_, i) => ({ id: `item_${i}`, qty: i + 1, price: 1999 + i }));
  return JSON.stringify({
    id: 'evt_1Nq2bench',
    type: 'invoice.paid',
    created: 1_700_000_000,
    data: { items },
  });
}

/**
 * Count node:crypto MAC work done while `fn` runs: createHmac calls and one-shot `hash` calls (bulwark's node
 * back end computes an HMAC as two one-shot hashes). The ESM bindings are patched too.
 */
async function countHmacs(fn) {
  const cjs = createRequire(import.meta.url)('node:crypto');
  const originals = { createHmac: cjs.createHmac, hash: cjs.hash };
  let calls = 0;
  for (const [name, original] of Object.entries(originals)) {
    cjs[name] = (...args) => {
      calls++;
      return original(...args);
    };
  }
  syncBuiltinESMExports();
  try {
    await fn();
  } finally {
    Object.assign(cjs, originals);
    syncBuiltinESMExports();
  }
  return calls;
}

export async function run({ smoke }) {
  const { createWebhookVerifier, signWebhook } = await import('@bulwark/core');
  const { Webhook } = await import('standardwebhooks');
  const Stripe = (await import('stripe')).default;
  const octokit = await import('@octokit/webhooks-methods');
  const stripe = new Stripe('sk_test_bench');
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const body = payload();
  const bytes = encoder.encode(body);
  const buffer = Buffer.from(bytes);
  const rows = [];
  const notes = [`Body: ${bytes.length} bytes of JSON. bulwark figures are \`verifySignature\` (no store).`];
  const request = (headers) => ({ method: 'POST', url: '/hooks', header: (n) => headers[n] });
  const ok = (name, r) =>
    ensure(r === true || r?.ok === true || r?.id === 'evt_1Nq2bench' || r === undefined, `${name} verified`);

  // Standard Webhooks.
  const whsec = `whsec_${randomBytes(24).toString('base64')}`;
  const standard = createWebhookVerifier({ scheme: 'standard', secrets: whsec });
  const swHeaders = await signWebhook({ secret: whsec, id: 'msg_bench_1', body });
  const swReq = request(swHeaders);
  const sw = new Webhook(whsec);
  const swKey = Buffer.from(whsec.slice(6), 'base64');
  const swSig = Buffer.from(swHeaders['webhook-signature'].slice(3), 'base64');
  const swPrefix = `msg_bench_1.${swHeaders['webhook-timestamp']}.`;
  rows.push(
    ...(await compare(
      'webhook verify: Standard Webhooks v1',
      {
        'bulwark verifySignature': () => standard.verifySignature(swReq, bytes),
        'standardwebhooks Webhook.verify': () => sw.verify(buffer, swHeaders, { jsonParse: false }) ?? true,
        'node:crypto floor': () =>
          timingSafeEqual(createHmac('sha256', swKey).update(swPrefix).update(buffer).digest(), swSig),
      },
      { smoke, clock: 'cpu', check: ok },
    )),
  );

  // Stripe.
  const stripeSecret = `whsec_${randomBytes(24).toString('hex')}`;
  const stripeVerifier = createWebhookVerifier({ scheme: 'stripe', secrets: stripeSecret });
  const stripeHeader = stripe.webhooks.generateTestHeaderString({ payload: body, secret: stripeSecret });
  const stripeReq = request({ 'stripe-signature': stripeHeader });
  rows.push(
    ...(await compare(
      'webhook verify: Stripe v1',
      {
        'bulwark verifySignature': () => stripeVerifier.verifySignature(stripeReq, bytes),
        'stripe constructEvent': () => stripe.webhooks.constructEvent(buffer, stripeHeader, stripeSecret),
      },
      { smoke, clock: 'cpu', check: ok },
    )),
  );

  // GitHub.
  const ghSecret = randomBytes(20).toString('hex');
  const github = createWebhookVerifier({ scheme: 'github', secrets: ghSecret });
  const ghSig = await octokit.sign(ghSecret, body);
  const ghReq = request({
    'x-hub-signature-256': ghSig,
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  });
  rows.push(
    ...(await compare(
      'webhook verify: GitHub sha256',
      {
        'bulwark verifySignature': () => github.verifySignature(ghReq, bytes),
        // Its API takes the payload as a string: decoding the received bytes is part of its cost.
        '@octokit/webhooks-methods verify': () => octokit.verify(ghSecret, decoder.decode(bytes), ghSig),
      },
      { smoke, clock: 'cpu', check: ok },
    )),
  );

  // Deny paths: refused on string work alone. The HMAC count is the proof; the ratio shows the cost.
  const malformed = request({ ...swHeaders, 'webhook-signature': 'v1,not-base64!' });
  const tooMany = request({
    ...swHeaders,
    'webhook-signature': Array(1000).fill(swHeaders['webhook-signature']).join(' '),
  });
  const stale = request({ ...swHeaders, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) });
  const denied = (code) => (name, r) =>
    ensure(r?.ok === false && r.error.code === code, `${name} denied ${code}`);
  for (const [label, req, code] of [
    ['malformed signature', malformed, 'WEBHOOK_SIGNATURE_MALFORMED'],
    ['1000 signatures', tooMany, 'WEBHOOK_TOO_MANY_SIGNATURES'],
    ['stale timestamp', stale, 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE'],
  ]) {
    const hmacs = await countHmacs(async () => {
      for (let i = 0; i < 10_000; i++)
        ensure((await standard.verifySignature(req, bytes)).ok === false, label);
    });
    const control = await countHmacs(() => standard.verifySignature(swReq, bytes));
    ensure(hmacs === 0, `${label}: ${hmacs} HMACs computed on the deny path`);
    // One HMAC: one createHmac, or two one-shot hashes (inner and outer) on bulwark's node back end.
    ensure(
      control === 1 || control === 2,
      `the valid delivery computes exactly one HMAC (got ${control} calls)`,
    );
    notes.push(
      `Deny path "${label}": 10 000 deliveries made ${hmacs} node:crypto HMAC/hash calls (a valid one makes ${control}: one HMAC as two one-shot hashes).`,
    );
    rows.push(
      ...(await compare(
        `webhook deny: ${label} vs valid`,
        {
          [`bulwark deny (${label})`]: () => standard.verifySignature(req, bytes),
          'bulwark allow': () => standard.verifySignature(swReq, bytes),
        },
        {
          smoke,
          clock: 'cpu',
          check: (name, r) => (name === 'bulwark allow' ? ok(name, r) : denied(code)(name, r)),
        },
      )),
    );
  }
  return { rows, notes };
}
