// What a bench server does about OpenTelemetry, by BENCH_OTEL (see bench/observability.mjs):
//   absent — @opentelemetry/api cannot be resolved by @bulwark/core (as in an app that does not install it);
//   noop   — the API is installed, no SDK registered (the API's no-op providers);
//   sdk    — the metrics SDK (in-memory exporter, collected once an hour) and the trace SDK (in-memory
//            spans, AsyncLocalStorage context) registered, and every request runs in a span, as
//            @opentelemetry/instrumentation-http would start it;
//   sdk-absent — the same SDK and spans, but @bulwark/core cannot resolve the API: what the SDK costs without
//            bulwark reporting to it, the baseline of `sdk`.
import { register } from 'node:module';

const mode = process.env.BENCH_OTEL;

if (mode === 'absent' || mode === 'sdk-absent') {
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier === '@opentelemetry/api' && context.parentURL?.includes('/packages/core/')) {
      const error = new Error("Cannot find package '@opentelemetry/api'");
      error.code = 'ERR_MODULE_NOT_FOUND';
      throw error;
    }
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

let tracer;
if (mode === 'sdk' || mode === 'sdk-absent') {
  const { context, metrics, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } =
    await import('@opentelemetry/sdk-metrics');
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import(
    '@opentelemetry/sdk-trace-base'
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  metrics.setGlobalMeterProvider(
    new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    }),
  );
  const spans = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  // Keep memory flat: finished spans are dropped every second.
  setInterval(() => spans.reset(), 1000).unref();
  tracer = trace.getTracer('bench-http');
}

/** In `sdk` mode, run each request of `server` in an active span; otherwise nothing. */
export function traceServer(server) {
  if (tracer === undefined) return;
  const listeners = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    tracer.startActiveSpan('GET /json', (span) => {
      res.on('close', () => span.end());
      for (const listener of listeners) listener.call(server, req, res);
    });
  });
}
