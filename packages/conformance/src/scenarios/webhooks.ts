import { sign as octokitSign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AdapterHarness, AppSpec, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { call, type HttpResult } from '../http.js';
import { makeTestKeys } from '../keys.js';
import { jwtSpec } from './jwt.js';

export const STANDARD_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const STRIPE_SECRET = 'whsec_conformance_stripe_secret_0123';
const GITHUB_SECRET = 'conformance-github-secret-0123';
const MAX_BODY = 4096;

/** The webhook policies every adapter is configured with (one verifier, hence one memory store, per route). */
export function webhooksSpec(): NonNullable<AppSpec['webhooks']> {
  return {
    standard: { scheme: 'standard', secrets: [STANDARD_SECRET], maxBodyBytes: MAX_BODY },
    stripe: { scheme: 'stripe', secrets: [STRIPE_SECRET], maxBodyBytes: MAX_BODY },
    github: { scheme: 'github', secrets: [GITHUB_SECRET], maxBodyBytes: MAX_BODY },
  };
}

const standard = new Webhook(STANDARD_SECRET);
const stripe = new Stripe('sk_test_conformance');
let seq = 0;

/** A genuine Standard Webhooks delivery, signed by the `standardwebhooks` library. */
export function standardDelivery(
  payload: unknown,
  at = new Date(),
): { headers: string[]; body: string; id: string } {
  const id = `msg_conf_${Date.now()}_${seq++}`;
  const body = JSON.stringify(payload);
  return {
    id,
    body,
    headers: [
      'content-type',
      'application/json',
      'webhook-id',
      id,
      'webhook-timestamp',
      String(Math.floor(at.getTime() / 1000)),
      'webhook-signature',
      standard.sign(id, at, body),
    ],
  };
}

function post(
  app: RunningApp,
  path: string,
  headers: string[],
  body: string | Uint8Array,
): Promise<HttpResult> {
  return call(app.url, path, { method: 'POST', headers, body });
}

function expectDenied(res: HttpResult, status: number, code: string, secretBits: string[] = []): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect((res.json() as { code: string }).code).toBe(code);
  for (const bit of secretBits) expect(res.text).not.toContain(bit);
}

function set(headers: string[], name: string, value: string): string[] {
  const out = [...headers];
  out[out.indexOf(name) + 1] = value;
  return out;
}

/**
 * Signed-webhook scenarios. Routes `POST /hooks/{standard,stripe,github}` verify with `spec.webhooks` and
 * answer 200 `{"handled":true,"id":<event id>}`; a payload with `"fail": true` makes the handler throw.
 * Every app keeps a global JSON body parser, as real apps do.
 */
export function webhookScenarios(
  harness: AdapterHarness,
  extend: (spec: AppSpec) => AppSpec = (s) => s,
): void {
  scenarioGroup(harness, 'webhooks', 'webhooks', () => {
    let app: RunningApp;

    beforeAll(async () => {
      // A JWT policy as well: real apps mix rules, and NestJS's module needs one for its guards.
      app = await harness.start(extend({ jwt: jwtSpec(await makeTestKeys()), webhooks: webhooksSpec() }));
    });
    afterAll(async () => {
      await app?.close();
    });

    it('accepts a Standard Webhooks delivery signed by standardwebhooks, despite the global JSON parser', async () => {
      const d = standardDelivery({ type: 'invoice.paid', amount: 4200, note: 'café' });
      const res = await post(app, '/hooks/standard', d.headers, d.body);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ handled: true, id: d.id });
    });

    it('answers a replayed delivery 200 without reaching the handler', async () => {
      const d = standardDelivery({ type: 'invoice.paid' });
      expect((await post(app, '/hooks/standard', d.headers, d.body)).json()).toEqual({
        handled: true,
        id: d.id,
      });
      const again = await post(app, '/hooks/standard', d.headers, d.body);
      expect(again.status).toBe(200);
      expect(again.json()).toEqual({ received: true, duplicate: true });
    });

    it('refuses a body modified by one byte with 401 and echoes no signature', async () => {
      const d = standardDelivery({ type: 'invoice.paid', amount: 4200 });
      const res = await post(app, '/hooks/standard', d.headers, d.body.replace('4200', '4201'));
      const signature = d.headers[d.headers.indexOf('webhook-signature') + 1]!;
      expectDenied(res, 401, 'WEBHOOK_SIGNATURE_MISMATCH', [
        signature.slice(3, 20),
        STANDARD_SECRET.slice(6, 20),
      ]);
    });

    it('refuses stale (401) and malformed (400) timestamps', async () => {
      const stale = standardDelivery({ n: 1 }, new Date(Date.now() - 301_000));
      expectDenied(
        await post(app, '/hooks/standard', stale.headers, stale.body),
        401,
        'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      );
      const d = standardDelivery({ n: 2 });
      const ms = set(d.headers, 'webhook-timestamp', String(Date.now()));
      expectDenied(await post(app, '/hooks/standard', ms, d.body), 400, 'WEBHOOK_TIMESTAMP_INVALID');
    });

    it('refuses an event id with a "." (400): id.timestamp.body would split two ways', async () => {
      const d = standardDelivery({ n: 4 });
      const at = new Date();
      const id = `${d.id}.${Math.floor(at.getTime() / 1000)}`;
      const dotted = set(
        set(d.headers, 'webhook-id', id),
        'webhook-signature',
        standard.sign(id, at, d.body),
      );
      const res = await post(
        app,
        '/hooks/standard',
        set(dotted, 'webhook-timestamp', String(Math.floor(at.getTime() / 1000))),
        d.body,
      );
      expectDenied(res, 400, 'WEBHOOK_ID_INVALID');
    });

    it('refuses a repeated signature header and too many signatures (400)', async () => {
      const d = standardDelivery({ n: 3 });
      const signature = d.headers[d.headers.indexOf('webhook-signature') + 1]!;
      const twice = [...d.headers, 'webhook-signature', signature];
      expectDenied(await post(app, '/hooks/standard', twice, d.body), 400, 'WEBHOOK_HEADER_DUPLICATE');
      const many = set(d.headers, 'webhook-signature', Array(11).fill(signature).join(' '));
      expectDenied(await post(app, '/hooks/standard', many, d.body), 400, 'WEBHOOK_TOO_MANY_SIGNATURES');
    });

    it('refuses a missing header, an empty body and a body over the limit', async () => {
      const d = standardDelivery({ n: 4 });
      const noId = d.headers.filter((_, i, a) => a[i] !== 'webhook-id' && a[i - 1] !== 'webhook-id');
      expectDenied(await post(app, '/hooks/standard', noId, d.body), 400, 'WEBHOOK_HEADER_MISSING');
      const untyped = d.headers.slice(2);
      expectDenied(await post(app, '/hooks/standard', untyped, ''), 400, 'WEBHOOK_BODY_EMPTY');
      // Typed as JSON too: NestJS answers it before the platform's JSON parser would refuse it its own way.
      expectDenied(await post(app, '/hooks/standard', d.headers, ''), 400, 'WEBHOOK_BODY_EMPTY');
      const big = standardDelivery({ pad: 'x'.repeat(MAX_BODY) });
      expectDenied(await post(app, '/hooks/standard', big.headers, big.body), 413, 'WEBHOOK_BODY_TOO_LARGE');
    });

    it('releases the claim when the handler fails, so the retry is processed exactly once', async () => {
      const d = standardDelivery({ fail: true });
      const first = await post(app, '/hooks/standard', d.headers, d.body);
      expect(first.status).toBe(500);
      // Same event, now handled: the handler's outcome depends only on the body, so flip the route's
      // behaviour by sending the same id with a body the handler accepts, signed anew.
      const at = new Date();
      const body = JSON.stringify({ fail: false });
      const retry = set(
        set(
          set(d.headers, 'webhook-signature', standard.sign(d.id, at, body)),
          'webhook-timestamp',
          String(Math.floor(at.getTime() / 1000)),
        ),
        'webhook-id',
        d.id,
      );
      expect((await post(app, '/hooks/standard', retry, body)).json()).toEqual({ handled: true, id: d.id });
      expect((await post(app, '/hooks/standard', retry, body)).json()).toEqual({
        received: true,
        duplicate: true,
      });
    });

    it('accepts a Stripe delivery from generateTestHeaderString, deduplicated by the event id', async () => {
      const payload = JSON.stringify({ id: `evt_conf_${seq++}`, object: 'event', type: 'charge.succeeded' });
      const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
      const headers = ['content-type', 'application/json', 'stripe-signature', header];
      const res = await post(app, '/hooks/stripe', headers, payload);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ handled: true, id: JSON.parse(payload).id });
      expect((await post(app, '/hooks/stripe', headers, payload)).json()).toEqual({
        received: true,
        duplicate: true,
      });
      const upper = ['content-type', 'application/json', 'stripe-signature', header.toUpperCase()];
      expectDenied(await post(app, '/hooks/stripe', upper, payload), 400, 'WEBHOOK_SIGNATURE_MALFORMED');
    });

    it('accepts a GitHub delivery signed by @octokit/webhooks-methods; X-GitHub-Delivery is mandatory', async () => {
      const payload = JSON.stringify({ action: 'opened', number: seq++ });
      const signature = await octokitSign(GITHUB_SECRET, payload);
      const guid = `72d3162e-cc78-11e3-81ab-${String(seq).padStart(12, '0')}`;
      const headers = [
        'content-type',
        'application/json',
        'x-hub-signature-256',
        signature,
        'x-github-delivery',
        guid,
      ];
      expect((await post(app, '/hooks/github', headers, payload)).json()).toEqual({
        handled: true,
        id: guid,
      });
      const noDelivery = headers.slice(0, 4);
      expectDenied(await post(app, '/hooks/github', noDelivery, payload), 400, 'WEBHOOK_HEADER_MISSING');
    });
  });
}
