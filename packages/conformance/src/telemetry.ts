import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
import { telemetryReady } from '@bulwark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call } from './http.js';
import { AUDIENCE, ISSUER, makeTestKeys, mint, type TestKeys } from './keys.js';
import type { ObservabilityHarness } from './observability.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Run every request of `server` inside an active span, as @opentelemetry/instrumentation-http does: the
 * server's own listeners are wrapped in `startActiveSpan`, and the span ends with the response.
 */
function traceRequests(server: Server): void {
  const tracer = trace.getTracer('conformance-http');
  const listeners = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    tracer.startActiveSpan(`${req.method} ${req.url}`, (span) => {
      res.on('close', () => span.end());
      for (const listener of listeners) listener.call(server, req, res);
    });
  });
}

/**
 * bulwark's OpenTelemetry instruments, through an adapter over real HTTP with the real SDK (in-memory
 * exporters): the exact instruments, units and attributes, and the attributes on the request's span.
 */
export function defineTelemetrySuite(harness: ObservabilityHarness): void {
  describe(`${harness.name}: OpenTelemetry`, () => {
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter: metricExporter,
      exportIntervalMillis: 3_600_000,
    });
    const spans = new InMemorySpanExporter();
    let keys: TestKeys;
    let jwks: Server;
    let jwksUri: string;

    beforeAll(async () => {
      // One global set per suite: a file may run this suite twice (NestJS on both platforms).
      metrics.disable();
      trace.disable();
      context.disable();
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
      );
      expect(await telemetryReady()).toBe(true);
      keys = await makeTestKeys();
      jwks = createServer((_req, res) => {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: [keys.rsa.publicJwk] }));
      });
      await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
      jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
    });
    afterAll(async () => {
      jwks.closeAllConnections();
      await new Promise((r) => jwks.close(r));
      await reader.shutdown();
      metrics.disable();
      trace.disable();
      context.disable();
    });

    it('counts decisions by rule, outcome and code, times rules and the JWKS fetch, and marks the span', async () => {
      const app = await harness.start(
        {
          jwt: { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, jwksUri },
          rateLimit: { rate: '100/min' },
        },
        undefined,
      );
      traceRequests(app.server);
      try {
        const token = await mint(keys);
        expect((await call(app.url, '/orders', { headers: bearer(token) })).status).toBe(200);
        expect(
          (await call(app.url, '/orders', { headers: bearer(`${token.slice(0, -4)}AAAA`) })).status,
        ).toBe(401);
        expect((await call(app.url, '/orders')).status).toBe(401);
      } finally {
        await app.close();
      }
      await reader.forceFlush();
      const scope = metricExporter
        .getMetrics()
        .at(-1)!
        .scopeMetrics.find((s) => s.scope.name === '@bulwark/core')!;
      const byName = new Map(scope.metrics.map((m) => [m.descriptor.name, m]));
      expect([...byName.keys()].sort()).toEqual([
        'bulwark.decisions',
        'bulwark.operation.duration',
        'bulwark.rule.duration',
      ]);
      const decisions = byName.get('bulwark.decisions')!;
      expect(decisions.descriptor.unit).toBe('{decision}');
      const counted = decisions.dataPoints
        .map((p) => `${JSON.stringify(p.attributes)}=${p.value as number}`)
        .sort();
      expect(counted).toEqual(
        [
          `${JSON.stringify({ 'bulwark.rule': 'jwt', 'bulwark.outcome': 'allowed' })}=1`,
          `${JSON.stringify({ 'bulwark.rule': 'jwt', 'bulwark.outcome': 'denied', 'bulwark.code': 'JWT_MISSING' })}=1`,
          `${JSON.stringify({ 'bulwark.rule': 'jwt', 'bulwark.outcome': 'denied', 'bulwark.code': 'JWT_SIGNATURE_INVALID' })}=1`,
          `${JSON.stringify({ 'bulwark.rule': 'ratelimit', 'bulwark.outcome': 'allowed' })}=3`,
        ].sort(),
      );
      const ruleDuration = byName.get('bulwark.rule.duration')!;
      expect(ruleDuration.descriptor.unit).toBe('s');
      const jwtAllowed = ruleDuration.dataPoints.find(
        (p) => p.attributes['bulwark.rule'] === 'jwt' && p.attributes['bulwark.outcome'] === 'allowed',
      )!;
      const histogram = jwtAllowed.value as { count: number; sum: number };
      expect(histogram.count).toBe(1);
      // Seconds, not milliseconds: a JWKS fetch and an RS256 verify take well under a second here.
      expect(histogram.sum).toBeGreaterThan(0);
      expect(histogram.sum).toBeLessThan(1);
      const operations = byName.get('bulwark.operation.duration')!;
      expect(operations.descriptor.unit).toBe('s');
      expect(operations.dataPoints.map((p) => p.attributes)).toEqual([
        { 'bulwark.operation': 'jwt.jwks.fetch' },
      ]);

      const requests = spans.getFinishedSpans().filter((s) => s.name.startsWith('GET /orders'));
      expect(requests.map((s) => s.attributes)).toEqual([
        { 'bulwark.ratelimit.outcome': 'allowed', 'bulwark.jwt.outcome': 'allowed' },
        {
          'bulwark.ratelimit.outcome': 'allowed',
          'bulwark.jwt.outcome': 'denied',
          'bulwark.code': 'JWT_SIGNATURE_INVALID',
          'bulwark.rule': 'jwt',
        },
        {
          'bulwark.ratelimit.outcome': 'allowed',
          'bulwark.jwt.outcome': 'denied',
          'bulwark.code': 'JWT_MISSING',
          'bulwark.rule': 'jwt',
        },
      ]);
    });
  });
}
