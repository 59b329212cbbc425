import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AdapterHarness, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { call, type HttpResult } from '../http.js';
import { makeTestKeys } from '../keys.js';
import { corsSpec, varyHas } from './cors.js';
import { expectSecurityHeaders } from './headers.js';
import { jwtSpec } from './jwt.js';
import { standardDelivery, webhooksSpec } from './webhooks.js';

const ORIGIN = 'https://app.example.com';
const json = (
  body: string | Uint8Array,
): { method: string; headers: Record<string, string>; body: string | Uint8Array } => ({
  method: 'POST',
  headers: { origin: ORIGIN, 'content-type': 'application/json' },
  body,
});

/** The answer every response gives: the security headers, and the CORS grant of an allowed origin. */
function expectFullAnswer(res: HttpResult, what: string): void {
  expectSecurityHeaders(res);
  expect(res.headers['access-control-allow-origin'], what).toBe(ORIGIN);
  expect(res.headers['access-control-allow-credentials'], what).toBe('true');
  expect(varyHas(res, 'Origin'), what).toBe(true);
}

/**
 * Responses the framework writes itself (404, body-parser 400/413, a thrown error's 500), denials, and
 * handlers that set their own `Vary`: each carries the security headers and the CORS answer, with
 * `Vary: Origin` kept. The app is the full one: headers, CORS, JWT and webhooks together.
 */
export function responseScenarios(harness: AdapterHarness): void {
  scenarioGroup(
    harness,
    'responses',
    'every response carries the security headers and the CORS answer',
    () => {
      let app: RunningApp;

      beforeAll(async () => {
        app = await harness.start({
          headers: {},
          cors: corsSpec(),
          jwt: jwtSpec(await makeTestKeys()),
          webhooks: webhooksSpec(),
        });
      });
      afterAll(async () => {
        await app?.close();
      });

      it('on a 404 and on a thrown error (500)', async () => {
        const missing = await call(app.url, '/no-such-route', { headers: { origin: ORIGIN } });
        expect(missing.status).toBe(404);
        expectFullAnswer(missing, '404');
        const boom = await call(app.url, '/boom', { headers: { origin: ORIGIN } });
        expect(boom.status).toBe(500);
        expectFullAnswer(boom, '500');
      });

      it("on the router's answer to a URL it cannot decode", async () => {
        const res = await call(app.url, '/%zz', { headers: { origin: ORIGIN } });
        expect([400, 404]).toContain(res.status);
        expectFullAnswer(res, 'undecodable URL');
      });

      it('on the JSON parser answers: malformed (400)', async () => {
        const ok = await call(app.url, '/echo', json('{"a":1}'));
        expect(ok.json()).toEqual({ echo: { a: 1 } });
        expectFullAnswer(ok, '200');
        const malformed = await call(app.url, '/echo', json('{"a":'));
        expect(malformed.status).toBe(400);
        expectFullAnswer(malformed, 'malformed JSON');
      });

      it('on denials: 401 without a token, 415 for a coded webhook delivery', async () => {
        const denied = await call(app.url, '/me', { headers: { origin: ORIGIN } });
        expect(denied.status).toBe(401);
        expectFullAnswer(denied, '401');
        const d = standardDelivery({ coded: true });
        const coded = await call(app.url, '/hooks/standard', {
          method: 'POST',
          headers: [...d.headers, 'origin', ORIGIN, 'content-encoding', 'gzip'],
          body: gzipSync(d.body),
        });
        expect(coded.status).toBe(415);
        expect((coded.json() as { code: string }).code).toBe('WEBHOOK_CONTENT_ENCODING_UNSUPPORTED');
        expectFullAnswer(coded, '415');
      });

      it('keeps Vary: Origin when the handler sets its own Vary, merged with it', async () => {
        for (const origin of [ORIGIN, undefined]) {
          const res = await call(app.url, '/vary', { headers: origin === undefined ? {} : { origin } });
          expect(res.status).toBe(200);
          expect(varyHas(res, 'Origin'), String(res.headers.vary)).toBe(true);
          expect(varyHas(res, 'Accept-Encoding'), String(res.headers.vary)).toBe(true);
        }
      });
    },
  );

  // The body limit is the framework's (or the fetch adapter's node bridge): a runtime that reads the body
  // itself has its own, or none.
  scenarioGroup(
    harness,
    'responses.body-limit',
    'a body over the limit is refused with the full answer',
    () => {
      let app: RunningApp;

      beforeAll(async () => {
        app = await harness.start({ headers: {}, cors: corsSpec(), jwt: jwtSpec(await makeTestKeys()) });
      });
      afterAll(async () => {
        await app?.close();
      });

      it('on the JSON parser answer over its limit (413)', async () => {
        // Over every adapter's default limit (express and Nest 100 kB, fastify and the fetch bridge 1 MiB).
        const big = await call(app.url, '/echo', json(JSON.stringify({ pad: 'x'.repeat(1_100_000) })));
        expect(big.status).toBe(413);
        expectFullAnswer(big, '413');
      });
    },
  );
}
