import { createHmac, randomBytes } from 'node:crypto';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER } from '../../test/jwt-fixtures.js';
import { createCorsPolicy } from '../cors/policy.js';
import { createDpopVerifier } from '../dpop/verifier.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createJwtVerifier } from '../jwt/verifier.js';
import { createMtlsVerifier } from '../mtls/verifier.js';
import { createRateLimiter } from '../ratelimit/limiter.js';
import { createWebhookVerifier } from '../webhooks/verifier.js';
import { MAX_DETAIL, MAX_PATH } from './bound.js';
import { createEventSink, type EventLogger } from './reporter.js';
import { telemetryReady } from './telemetry.js';

// Secrets and attacker-sent credentials carry canaries: no record may ever contain one.
const JWT_SECRET = `CANARYJWTSECRET${randomBytes(24).toString('base64url')}`;
const WEBHOOK_BYTES = Buffer.concat([Buffer.from('CANARYWEBHOOKKEY'), randomBytes(16)]);
const WEBHOOK_SECRET = `whsec_${WEBHOOK_BYTES.toString('base64')}`;
const CANARIES = ['CANARY', JWT_SECRET, WEBHOOK_BYTES.toString('base64'), 'CANARYWEBHOOKKEY'];

/** Any C0/C1 control or DEL in one of `values` (strings, or arrays of them). */
const hasControl = (values: readonly unknown[]): boolean =>
  values.flat().some(
    (v) =>
      typeof v === 'string' &&
      [...v].some((ch) => {
        const c = ch.charCodeAt(0);
        return c < 0x20 || (c >= 0x7f && c <= 0x9f);
      }),
  );

const b64url = (text: string) => Buffer.from(text).toString('base64url');
const hs256 = (header: object, payload: object): string => {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${signingInput}.${createHmac('sha256', JWT_SECRET).update(signingInput).digest('base64url')}`;
};

const printable = fc.string({ unit: 'binary', maxLength: 300 });
const b64chars = fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/);

/** An attack: what a hostile client puts in the credentials, the path and the rest. */
const attack = fc.record({
  path: printable.map(
    (p) => `/${encodeURIComponent(p).slice(0, 2000)}${p.length % 3 === 0 ? `?token=CANARYQ${p}` : ''}`,
  ),
  token: fc.oneof(
    b64chars.map((s) => `CANARYRAW${s}`),
    fc
      .record({
        alg: fc.constantFrom('HS256', 'RS256', 'none', 'ES256', 'HS512'),
        kid: fc.option(printable, { nil: undefined }),
        sub: printable,
        exp: fc.integer({ min: 0, max: 4_000_000_000 }),
        sig: b64chars,
      })
      .map(({ alg, kid, sub, exp, sig }) => {
        const t = hs256(
          { alg, ...(kid !== undefined ? { kid } : {}) },
          { iss: ISSUER, aud: AUDIENCE, sub, exp },
        );
        // Either a valid signature (which is no more loggable than a forged one) or a forged one.
        return sig.length % 2 === 0 ? t : `${t.slice(0, t.lastIndexOf('.') + 1)}CANARYSIG${sig}`;
      }),
  ),
  scheme: fc.constantFrom('Bearer', 'bearer', 'DPoP', 'Basic', ''),
  cookie: b64chars.map((s) => `session=CANARYCOOKIE${s}`),
  origin: fc.oneof(
    fc.constant('https://app.example.com'),
    printable.map((s) => `https://${s}`),
  ),
  signature: b64chars.map((s) => `v1,CANARYWHSIG${s}`),
  webhookId: printable,
  timestamp: fc.oneof(fc.constant(String(Math.floor(Date.now() / 1000))), printable),
  dpop: b64chars.map((s) => `CANARYDPOP${s}`),
  body: fc.uint8Array({ maxLength: 256 }),
  certificate: fc.uint8Array({ maxLength: 128 }),
  method: fc.constantFrom('GET', 'POST', 'OPTIONS', 'PUT'),
});

describe('redaction: every record bulwark emits, under random attacks through every rule', () => {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const spans = new InMemorySpanExporter();
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
    );
    expect(await telemetryReady()).toBe(true);
  });
  afterAll(async () => {
    await reader.shutdown();
    metrics.disable();
    trace.disable();
    context.disable();
  });

  it('never carries a secret, token, signature, cookie or Authorization value; strings bounded, no controls', async () => {
    const events: SecurityEvent[] = [];
    const lines: string[] = [];
    const logger: EventLogger = {
      error: (e, m) => lines.push(m, JSON.stringify(e)),
      warn: (e, m) => lines.push(m, JSON.stringify(e)),
      info: (e, m) => lines.push(m, JSON.stringify(e)),
    };
    const sink = createEventSink({ onEvent: (e) => events.push(e), logger, logDenials: 1 });
    const onEvent = (e: SecurityEvent) => events.push(e);
    const jwt = createJwtVerifier({
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      secret: JWT_SECRET,
      onEvent,
    });
    const cors = createCorsPolicy({
      origins: ['https://app.example.com'],
      rejectDisallowedOrigins: true,
      onEvent,
    });
    const limiter = createRateLimiter({ rate: '20/min', onEvent });
    const webhooks = createWebhookVerifier({ scheme: 'standard', secrets: [WEBHOOK_SECRET], onEvent });
    const dpop = createDpopVerifier({ externalUrl: 'https://api.example.com', onEvent });
    const mtls = createMtlsVerifier({ dangerouslyAllowAnyPeer: true, onEvent });
    const tracer = trace.getTracer('redaction-test');

    await fc.assert(
      fc.asyncProperty(attack, async (a) => {
        const headers: Record<string, string> = {
          authorization: `${a.scheme} ${a.token}`.trim(),
          cookie: a.cookie,
          origin: a.origin,
          'access-control-request-method': 'PUT',
          'webhook-id': a.webhookId,
          'webhook-timestamp': a.timestamp,
          'webhook-signature': a.signature,
          dpop: a.dpop,
          'x-forwarded-for': '198.51.100.7',
        };
        const req: RequestLike = {
          method: a.method,
          url: a.path,
          header: (name) => headers[name],
          remoteAddress: '203.0.113.9',
          rawBody: a.body,
          peerCertificate: a.certificate,
          events: sink,
        };
        await tracer.startActiveSpan('request', async (span) => {
          const v = await jwt.check(req);
          cors.check(req);
          await limiter.check(req);
          await webhooks.check(req, a.body);
          await dpop.check(req, { token: a.token, claims: v.ok ? v.value : {} });
          mtls.check(req);
          span.end();
        });
      }),
      { numRuns: 150 },
    );

    await reader.forceFlush();
    const metricAttributes = metricExporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics)
      .flatMap((s) => s.metrics)
      .flatMap((m) => m.dataPoints.map((p) => p.attributes));
    const spanAttributes = spans.getFinishedSpans().map((s) => s.attributes);
    expect(events.length).toBeGreaterThan(150);
    expect(metricAttributes.length).toBeGreaterThan(5);

    const records = [...events.map((e) => JSON.stringify(e)), ...lines];
    for (const record of [
      ...records,
      ...[...metricAttributes, ...spanAttributes].map((a) => JSON.stringify(a)),
    ]) {
      for (const canary of CANARIES) expect(record).not.toContain(canary);
    }
    for (const e of events) {
      expect((e.detail ?? '').length).toBeLessThanOrEqual(MAX_DETAIL + 16);
      expect((e.path ?? '').length).toBeLessThanOrEqual(MAX_PATH + 16);
      expect(hasControl([e.detail, e.path, e.method, ...Object.values(e.data ?? {})])).toBe(false);
    }
    // Metric and span attributes: bulwark's names and codes only (bounded), never request data.
    const allowedValue =
      /^(jwt|cors|ratelimit|webhooks|dpop|mtls|allowed|degraded|denied|answered|[A-Z][A-Z0-9_]{2,60}|[a-z]+(\.[a-z_]+)+|timeout|error)$/;
    for (const attributes of [...metricAttributes, ...spanAttributes]) {
      for (const [key, value] of Object.entries(attributes)) {
        expect(key).toMatch(/^(bulwark\.[a-z_.]+|error\.type)$/);
        expect(String(value)).toMatch(allowedValue);
      }
    }
  });
});
