import { gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AdapterHarness, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { bearer, call, type HttpResult } from '../http.js';
import { makeTestKeys, mint, type TestKeys } from '../keys.js';
import { expectSecurityHeaders } from './headers.js';
import { jwtSpec } from './jwt.js';
import { STANDARD_SECRET, webhooksSpec } from './webhooks.js';

const TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/xml',
  'a/b/c',
];
const CODINGS = [undefined, 'identity', 'gzip', 'br', 'x-unknown'];
const STABLE_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

const sender = new Webhook(STANDARD_SECRET);
let seq = 0;

/** A Standard Webhooks delivery of exactly `body`, signed by the standardwebhooks library, no content type. */
function signed(body: string): { headers: string[]; body: string; id: string } {
  const id = `msg_inputs_${Date.now()}_${seq++}`;
  const at = new Date();
  const headers = ['webhook-id', id, 'webhook-timestamp', String(Math.floor(at.getTime() / 1000))];
  return { id, body, headers: [...headers, 'webhook-signature', sender.sign(id, at, body)] };
}

function codeOf(res: HttpResult): string | undefined {
  try {
    return (res.json() as { code?: string }).code;
  } catch {
    return undefined;
  }
}

function describeCase(type: string | undefined, coding: string | undefined, empty: boolean): string {
  return `content-type ${type ?? '(none)'}, content-encoding ${coding ?? '(none)'}, ${empty ? 'empty' : 'signed'} body`;
}

/**
 * What a client sends that the webhook and JWT routes do not expect: odd or missing content types, content
 * codings (with a really coded body), empty bodies. Never a 5xx: a delivery is handled (200) or refused with
 * a 4xx problem carrying a stable code, always with the security headers. Content codings are refused
 * (415) and empty bodies are 400 on every adapter; a content type the platform cannot hand over as raw bytes
 * (NestJS on fastify) is 415 `WEBHOOK_CONTENT_TYPE_UNSUPPORTED`.
 */
export function webhookInputScenarios(harness: AdapterHarness): void {
  scenarioGroup(harness, 'webhooks.inputs', 'unexpected content types, codings and bodies', () => {
    let keys: TestKeys;
    let app: RunningApp;

    beforeAll(async () => {
      keys = await makeTestKeys();
      app = await harness.start({ headers: {}, jwt: jwtSpec(keys), webhooks: webhooksSpec() });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('webhook routes: a 200 or a coded 4xx for every content type × coding × body, never a 5xx', async () => {
      for (const type of TYPES) {
        for (const coding of CODINGS) {
          for (const empty of [false, true]) {
            const what = describeCase(type, coding, empty);
            const delivery = signed(empty ? '' : JSON.stringify({ type: 'fuzz', coding: coding ?? null }));
            const headers = [...delivery.headers];
            if (type !== undefined) headers.push('content-type', type);
            if (coding !== undefined) headers.push('content-encoding', coding);
            const body = coding === 'gzip' && !empty ? gzipSync(delivery.body) : delivery.body;
            const res = await call(app.url, '/hooks/standard', { method: 'POST', headers, body });
            expect(res.status, what).toBeLessThan(500);
            expectSecurityHeaders(res);
            if (res.status === 200) {
              expect(res.json(), what).toEqual({ handled: true, id: delivery.id });
              continue;
            }
            expect(res.status, what).toBeGreaterThanOrEqual(400);
            expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
            const code = codeOf(res);
            expect(code, what).toMatch(STABLE_CODE);
            const coded = coding !== undefined && coding !== 'identity';
            if (type === 'a/b/c') {
              // Not a media type at all: refused for its coding, its emptiness or its type, each with our code.
              expect(
                [
                  'WEBHOOK_CONTENT_TYPE_UNSUPPORTED',
                  'WEBHOOK_CONTENT_ENCODING_UNSUPPORTED',
                  'WEBHOOK_BODY_EMPTY',
                ],
                what,
              ).toContain(code);
            } else if (coded) {
              expect(code, what).toBe('WEBHOOK_CONTENT_ENCODING_UNSUPPORTED');
            } else if (empty) {
              expect(code, what).toBe('WEBHOOK_BODY_EMPTY');
            } else {
              // A signed delivery is refused only for a content type the platform cannot hand over as bytes.
              expect(type === undefined || !type.startsWith('application/json'), what).toBe(true);
              expect(code, what).toBe('WEBHOOK_CONTENT_TYPE_UNSUPPORTED');
            }
          }
        }
      }
    });

    it('JWT routes: content types, codings and bodies on a GET change nothing', async () => {
      const token = await mint(keys);
      for (const type of TYPES) {
        for (const coding of CODINGS) {
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          if (coding !== undefined) headers['content-encoding'] = coding;
          const what = describeCase(type, coding, true);
          const ok = await call(app.url, '/me', { headers: { ...headers, ...bearer(token) } });
          expect(ok.status, what).toBe(200);
          const denied = await call(app.url, '/me', { headers });
          expect(denied.status, what).toBe(401);
          expect(codeOf(denied), what).toBe('JWT_MISSING');
          expectSecurityHeaders(denied);
        }
      }
    });
  });
}
