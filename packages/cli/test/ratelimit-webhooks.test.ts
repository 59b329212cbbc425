import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import {
  hardenedLimiterApp,
  hardenedWebhookApp,
  naiveWebhookApp,
  spoofableLimiterApp,
  STRIPE_SECRET,
} from './apps/ratelimit-webhooks.js';
import { auditJson, listen, type Running, runCli } from './helpers.js';

const servers: Running[] = [];
const start = async (app: Parameters<typeof listen>[0]) => {
  const s = await listen(app);
  servers.push(s);
  return s;
};
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('rate limiting (--probe-rate-limit)', () => {
  it('express-rate-limit trusting X-Forwarded-For: the bucket resets per spoofed address; no Retry-After, no fields', async () => {
    const app = await start(spoofableLimiterApp());
    const r = await auditJson([`${app.url}/login`, '--probe-rate-limit', '10']);
    expect(r.ids('ratelimit')).toEqual([
      'ratelimit.fields-missing',
      'ratelimit.retry-after-missing',
      'ratelimit.spoofable-key',
    ]);
    const spoof = r.findings.filter((f) => f.id === 'ratelimit.spoofable-key');
    // express trusts X-Forwarded-For only: Forwarded and X-Real-IP do not reset it.
    expect(spoof.map((f) => f.detail)).toEqual([
      expect.stringMatching(
        /^with x-forwarded-for: (192\.0\.2|198\.51\.100|203\.0\.113)\.\d+ the request got 200; without it, still 429$/,
      ),
    ]);
    expect(spoof[0]?.severity).toBe('high');
    expect(spoof[0]?.evidence).toHaveLength(2);
  });

  it('the hardened twin: 429 with Retry-After and RateLimit fields, spoofed headers change nothing', async () => {
    const app = await start(hardenedLimiterApp());
    const r = await auditJson([`${app.url}/login`, '--probe-rate-limit', '10']);
    expect(r.ids('ratelimit')).toEqual([]);
    expect(r.notChecked.filter((n) => n.area === 'ratelimit')).toEqual([]);
  });

  it('no 429 within n requests is reported, and what that leaves unchecked is said', async () => {
    const open = await start((_req, res) => res.end('ok'));
    const r = await auditJson([
      `${open.url}/`,
      '--probe-rate-limit',
      '10',
      '--rate-limit-path',
      '/login',
      '--rate-limit-method',
      'POST',
    ]);
    expect(r.ids('ratelimit')).toEqual(['ratelimit.no-limit']);
    expect(r.findings.find((f) => f.id === 'ratelimit.no-limit')?.detail).toBe(
      '10 POST requests in a row, none answered 429 (a limit above 10 may exist)',
    );
    expect(r.findings.find((f) => f.id === 'ratelimit.no-limit')?.target).toBe(`${open.url}/login`);
    expect(r.notChecked).toContainEqual(
      expect.objectContaining({ area: 'ratelimit', why: 'no 429 within 10 requests' }),
    );
  });

  it('is off by default and bounded by the request cap', async () => {
    const limited = await start(spoofableLimiterApp());
    const off = await auditJson([`${limited.url}/login`]);
    expect(off.notChecked).toContainEqual({
      area: 'ratelimit',
      what: 'every rate-limit check',
      why: expect.stringMatching(/^off by default/),
    });
    const open = await start((_req, res) => res.end('ok'));
    const capped = await runCli([
      'audit',
      `${open.url}/`,
      '--probe-rate-limit',
      '1000',
      '--max-requests',
      '20',
      '--json',
      '--fail-on',
      'none',
    ]);
    expect(capped.code).toBe(3);
    const report = JSON.parse(capped.stdout);
    expect(report.requests).toBe(20);
    expect(report.warnings).toContainEqual(
      expect.stringMatching(/^ratelimit: stopped early: the request cap \(20, --max-requests\)/),
    );
  });
});

function sampleFiles(headers: Record<string, string>, body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-audit-sample-'));
  writeFileSync(
    join(dir, 'headers.txt'),
    `POST /webhooks/stripe HTTP/1.1\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n')}\n`,
  );
  writeFileSync(join(dir, 'body.json'), body);
  return ['--webhook-headers', join(dir, 'headers.txt'), '--webhook-body', join(dir, 'body.json')];
}

/** A delivery signed by Stripe's own library, `ageSeconds` old. */
function stripeSample(ageSeconds: number) {
  const body = JSON.stringify({
    id: `evt_${Math.random().toString(36).slice(2)}`,
    type: 'payment_intent.succeeded',
    data: { amount: 4200 },
  });
  const timestamp = Math.floor(Date.now() / 1000) - ageSeconds;
  const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
    payload: body,
    secret: STRIPE_SECRET,
    timestamp,
  });
  return {
    id: JSON.parse(body).id as string,
    args: sampleFiles({ 'content-type': 'application/json', 'stripe-signature': signature }, body),
    signature,
  };
}

describe('webhooks (--webhook)', () => {
  it('a hand-written receiver (re-serialised JSON, ===, no tolerance, no dedupe): re-serialisation and replay found', async () => {
    const app = naiveWebhookApp();
    const s = await start(app);
    const sample = stripeSample(0);
    const r = await auditJson([`${s.url}/`, '--webhook', '/webhooks/stripe', ...sample.args]);
    expect(r.ids('webhooks')).toEqual(['webhooks.replay-accepted', 'webhooks.reserialized-body']);
    // The probes really ran the handler more than once for the one event.
    expect(app.processed.get(sample.id)).toBeGreaterThanOrEqual(2);
    // The sample's signature never appears in the report.
    expect(JSON.stringify(r.findings)).not.toContain(sample.signature.split('v1=')[1]);
  });

  it('the same receiver with a 10-minute-old sample: the stale delivery is accepted', async () => {
    const s = await start(naiveWebhookApp());
    const sample = stripeSample(600);
    const r = await auditJson([`${s.url}/`, '--webhook', '/webhooks/stripe', ...sample.args]);
    expect(r.ids('webhooks')).toContain('webhooks.stale-accepted');
    expect(r.findings.find((f) => f.id === 'webhooks.stale-accepted')?.detail).toMatch(
      /^a delivery signed 6\d\d s ago \(stripe-signature\) was answered 200$/,
    );
  });

  it('the hardened twin: nothing found, the handler ran once, the stale sample refused', async () => {
    const app = hardenedWebhookApp();
    const s = await start(app);
    const fresh = stripeSample(0);
    const r = await auditJson([`${s.url}/`, '--webhook', '/webhooks/stripe', ...fresh.args]);
    expect(r.ids('webhooks')).toEqual([]);
    expect(app.processed.get(fresh.id)).toBe(1);
    const stale = await auditJson([`${s.url}/`, '--webhook', '/webhooks/stripe', ...stripeSample(600).args]);
    expect(stale.ids('webhooks')).toEqual([]);
    expect(stale.notChecked).toContainEqual(
      expect.objectContaining({
        what: 'tampering and replay',
        why: expect.stringMatching(/s old and was refused \(401\), as it should be/),
      }),
    );
  });

  it('a receiver that checks nothing: unsigned deliveries accepted; without a sample the rest is said to be unchecked', async () => {
    const s = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
    const r = await auditJson([`${s.url}/`, '--webhook', '/hooks']);
    expect(r.ids('webhooks')).toEqual(['webhooks.unsigned-accepted']);
    expect(r.notChecked).toContainEqual(
      expect.objectContaining({ area: 'webhooks', what: 'tampering, staleness and replay' }),
    );
  });

  it('a receiver that only checks the header is present: made-up signatures accepted', async () => {
    const s = await start((req, res) => {
      res.writeHead(req.headers['stripe-signature'] ? 200 : 400).end();
    });
    const r = await auditJson([`${s.url}/`, '--webhook', '/hooks']);
    expect(r.ids('webhooks')).toEqual(['webhooks.forged-accepted']);
    expect(r.findings.find((f) => f.id === 'webhooks.forged-accepted')?.detail).toBe(
      'a delivery with a random Stripe signature was answered 200',
    );
  });
});
