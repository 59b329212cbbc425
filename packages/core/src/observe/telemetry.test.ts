import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCorsPolicy } from '../cors/policy.js';
import type { RequestLike } from '../http/request.js';
import { createRateLimiter } from '../ratelimit/limiter.js';
import { telemetryReady } from './telemetry.js';

// The real API and SDK: bulwark must follow the API's globals as an app changes them at run time.
const REQ: RequestLike = {
  method: 'GET',
  url: '/orders',
  header: (n) => (n === 'origin' ? 'https://app.example.com' : undefined),
  remoteAddress: '203.0.113.7',
};

/** A reader collected on demand (nothing exported, no timer). */
class Collector extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A meter provider of its own; `decisions()` is what it counted, as `rule/outcome=n`. */
function meterProvider() {
  const reader = new Collector();
  const provider = new MeterProvider({ readers: [reader] });
  const collect = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === '@bulwark/core');
    return scope?.metrics.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
  };
  return {
    provider,
    async decisions(): Promise<string[]> {
      return (await collect('bulwark.decisions'))
        .map((p) => `${p.attributes['bulwark.rule']}/${p.attributes['bulwark.outcome']}=${p.value}`)
        .sort();
    },
    async operations(): Promise<string[]> {
      return (await collect('bulwark.operation.duration')).map(
        (p) => `${p.attributes['bulwark.operation']}=${(p.value as { count: number }).count}`,
      );
    },
  };
}

function tracing() {
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  return { spans, tracer: provider.getTracer('test') };
}

beforeAll(async () => {
  expect(await telemetryReady()).toBe(true);
});
afterEach(() => {
  vi.restoreAllMocks();
  metrics.disable();
  trace.disable();
  context.disable();
});

describe('telemetry follows the OpenTelemetry globals as they change', () => {
  it('with nothing registered, a decision asks the API for neither a meter provider nor a span', async () => {
    const cors = createCorsPolicy({ origins: ['https://app.example.com'] });
    cors.check(REQ);
    const provider = vi.spyOn(metrics, 'getMeterProvider');
    const span = vi.spyOn(trace, 'getActiveSpan');
    for (let i = 0; i < 5; i++) expect(cors.check(REQ).ok).toBe(true);
    expect(provider).not.toHaveBeenCalled();
    expect(span).not.toHaveBeenCalled();
  });

  it('a meter provider registered after the rule was built and used is recorded into from the next decision', async () => {
    const cors = createCorsPolicy({ origins: ['https://app.example.com'] });
    cors.check(REQ);
    const late = meterProvider();
    expect(metrics.setGlobalMeterProvider(late.provider)).toBe(true);
    cors.check(REQ);
    cors.check(REQ);
    expect(await late.decisions()).toEqual(['cors/allowed=2']);
  });

  it('a provider replaced (disable, then set another) is recorded into from then on; a removed one no more', async () => {
    const cors = createCorsPolicy({ origins: ['https://app.example.com'] });
    const first = meterProvider();
    metrics.setGlobalMeterProvider(first.provider);
    cors.check(REQ);
    metrics.disable();
    const second = meterProvider();
    metrics.setGlobalMeterProvider(second.provider);
    cors.check(REQ);
    cors.check(REQ);
    metrics.disable();
    cors.check(REQ);
    expect(await first.decisions()).toEqual(['cors/allowed=1']);
    expect(await second.decisions()).toEqual(['cors/allowed=2']);
  });

  it('a store call is timed into a provider registered late', async () => {
    const limiter = createRateLimiter({
      rate: '100/min',
      // A store that answers through a promise only, as a network store does.
      store: { consume: async () => ({ allowed: true, remaining: 99, retryAfterMs: 0, resetMs: 600 }) },
    });
    expect((await limiter.check(REQ)).ok).toBe(true);
    const late = meterProvider();
    metrics.setGlobalMeterProvider(late.provider);
    expect((await limiter.check(REQ)).ok).toBe(true);
    expect(await late.operations()).toEqual(['ratelimit.store.consume=1']);
    expect(await late.decisions()).toEqual(['ratelimit/allowed=1']);
  });

  it('the span active during a check is marked (a context manager registered late included); none active, nothing marked', async () => {
    const cors = createCorsPolicy({ origins: ['https://app.example.com'] });
    const { spans, tracer } = tracing();
    // Checks before any context manager exists: no span can be active.
    tracer.startActiveSpan('before', (span) => {
      cors.check(REQ);
      span.end();
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    cors.check(REQ);
    tracer.startActiveSpan('request', (span) => {
      cors.check(REQ);
      span.end();
    });
    // The span of each request, not the first one seen.
    const limiter = createRateLimiter({ rate: '100/min' });
    await tracer.startActiveSpan('second', async (span) => {
      expect((await limiter.check(REQ)).ok).toBe(true);
      span.end();
    });
    const marked = Object.fromEntries(spans.getFinishedSpans().map((s) => [s.name, s.attributes]));
    expect(marked).toEqual({
      before: {},
      request: { 'bulwark.cors.outcome': 'allowed' },
      second: { 'bulwark.ratelimit.outcome': 'allowed' },
    });
  });

  it('a context manager removed: the active span is no longer read', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const cors = createCorsPolicy({ origins: ['https://app.example.com'] });
    const { spans, tracer } = tracing();
    tracer.startActiveSpan('on', (span) => {
      cors.check(REQ);
      span.end();
    });
    context.disable();
    const span = vi.spyOn(trace, 'getActiveSpan');
    tracer.startActiveSpan('off', (s) => {
      cors.check(REQ);
      s.end();
    });
    expect(span).not.toHaveBeenCalled();
    expect(spans.getFinishedSpans().map((s) => [s.name, s.attributes])).toEqual([
      ['on', { 'bulwark.cors.outcome': 'allowed' }],
      ['off', {}],
    ]);
  });
});
