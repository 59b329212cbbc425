import type { RuleKind } from '../rule.js';
import type { EventSink, Reporter } from './reporter.js';
import type { Verdict } from '../verdict.js';
import { type Attributes, type AttributeTable, operationAttributes, tableOf } from './attributes.js';

// The slice of @opentelemetry/api bulwark uses, typed here so that no type of it reaches our declarations.
interface CounterLike {
  add(value: number, attributes?: Attributes): void;
}
interface HistogramLike {
  record(value: number, attributes?: Attributes): void;
}
interface MeterLike {
  createCounter(name: string, options?: object): CounterLike;
  createHistogram(name: string, options?: object): HistogramLike;
}
interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike;
}
interface SpanLike {
  setAttributes(attributes: Attributes): unknown;
}
interface OtelApi {
  readonly metrics: { getMeterProvider(): MeterProviderLike };
  readonly trace: { getActiveSpan(): SpanLike | undefined };
}

/** Meter name (the instrumentation scope) of every bulwark instrument. */
export const METER_NAME = '@bulwark/core';
/** Decisions taken, by `bulwark.rule`, `bulwark.outcome` and `bulwark.code`. */
export const DECISIONS = 'bulwark.decisions';
/** Time a rule took to decide, in seconds, by the same attributes. */
export const RULE_DURATION = 'bulwark.rule.duration';
/** Time of one call a rule waits on (a JWKS fetch, a store call), in seconds, by `bulwark.operation`. */
export const OPERATION_DURATION = 'bulwark.operation.duration';

/** What a rule's decision was, as a metric and span attribute value. */
export type Outcome = 'allowed' | 'degraded' | 'denied' | 'answered';

/** The operations timed by {@link OPERATION_DURATION}. */
export type Operation =
  | 'jwt.jwks.fetch'
  | 'jwt.revocation.check'
  | 'ratelimit.store.consume'
  | 'webhooks.store.claim'
  | 'dpop.store.claim';

// Rules decide in microseconds, network calls take milliseconds: buckets from 10 µs to 10 s.
const BOUNDARIES = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1, 2.5, 5, 10,
];

interface Instruments {
  readonly decisions: CounterLike;
  readonly ruleDuration: HistogramLike;
  readonly operationDuration: HistogramLike;
}

let api: OtelApi | undefined;
let loading: Promise<boolean> | undefined;
let instruments: Instruments | undefined;

// Where the API keeps what an app registered: "a variable on the global object" (its README, Version
// Compatibility), shared by every copy of one major version. It holds one slot per global set so far
// (`metrics`, `context`, `trace`…); `setGlobal…` fills a slot, `disable()` empties it. The peer range is 1.x.
const OTEL_GLOBAL: unique symbol = Symbol.for('opentelemetry.js.api.1') as never;
interface Registered {
  readonly metrics?: unknown;
  readonly context?: unknown;
}
const registry = globalThis as { [OTEL_GLOBAL]?: Registered };
// The global object and its metrics slot when `instruments` were last made from the API's meter provider.
const NOT_READ = {};
let seenGlobal: Registered | undefined | typeof NOT_READ = NOT_READ;
let seenMetrics: unknown = NOT_READ;

// A variable, so that bundlers (esbuild for Workers, webpack) leave the import to run time instead of
// failing the build where the optional peer is not installed.
const OTEL_API = '@opentelemetry/api';

/**
 * Start loading `@opentelemetry/api` (an optional peer dependency) once per process; resolves to whether
 * it is present. Until it has loaded, and when it is absent, nothing is recorded and nothing is timed.
 * Rules call this when they are built; an app that must record its very first request awaits it.
 *
 * @example
 * await telemetryReady(); // true when @opentelemetry/api is installed
 */
export function telemetryReady(): Promise<boolean> {
  loading ??= import(/* @vite-ignore */ /* webpackIgnore: true */ OTEL_API).then(
    (mod: { metrics?: unknown; default?: unknown }) => {
      const found = (typeof mod.metrics === 'object' ? mod : mod.default) as OtelApi | undefined;
      if (typeof found?.metrics?.getMeterProvider !== 'function') return false;
      api = found;
      return true;
    },
    () => false,
  );
  return loading;
}

/**
 * The instruments of the meter provider registered now. The API's `getMeterProvider()` is asked only when
 * its global slot changed (a provider set late, replaced, or removed), not on every decision.
 */
function currentInstruments(otel: OtelApi, registered: Registered | undefined): Instruments | undefined {
  if (registered === seenGlobal && (registered === undefined || registered.metrics === seenMetrics)) {
    return instruments;
  }
  seenGlobal = registered;
  seenMetrics = registered?.metrics;
  const p = otel.metrics.getMeterProvider();
  // The API's own no-op provider records nothing: skip the attribute work for it altogether.
  if ((p as { constructor?: { name?: string } }).constructor?.name === 'NoopMeterProvider') {
    instruments = undefined;
  } else {
    const meter = p.getMeter(METER_NAME);
    instruments = {
      decisions: meter.createCounter(DECISIONS, {
        unit: '{decision}',
        description: 'Decisions taken by bulwark rules',
      }),
      ruleDuration: meter.createHistogram(RULE_DURATION, {
        unit: 's',
        description: 'Time a bulwark rule took to decide a request',
        advice: { explicitBucketBoundaries: BOUNDARIES },
      }),
      operationDuration: meter.createHistogram(OPERATION_DURATION, {
        unit: 's',
        description: 'Time of a call a bulwark rule waited on (JWKS fetch, store call)',
        advice: { explicitBucketBoundaries: BOUNDARIES },
      }),
    };
  }
  return instruments;
}

/**
 * The span active now. Without a context manager registered (an empty `context` slot) the API's active
 * context is always its root context, which holds no span: the API is not asked.
 */
function activeSpan(otel: OtelApi, registered: Registered | undefined): SpanLike | undefined {
  return registered?.context === undefined ? undefined : otel.trace.getActiveSpan();
}

function record(
  i: Instruments | undefined,
  span: SpanLike | undefined,
  table: AttributeTable,
  verdict: Verdict<unknown>,
  start: number,
): void {
  const attributes = table.of(verdict);
  if (i !== undefined) {
    i.decisions.add(1, attributes.metric);
    i.ruleDuration.record((performance.now() - start) / 1000, attributes.metric);
  }
  span?.setAttributes(attributes.span);
}

/**
 * A rule's `check` that attaches the app sink the request carries (`req.events`) to the rule's reporter,
 * and reports each decision to OpenTelemetry (when `@opentelemetry/api` is
 * present): the `bulwark.decisions` counter, the `bulwark.rule.duration` histogram and attributes on the
 * active span. Without the API it calls `check` and nothing else.
 *
 * @example
 * return { [RULE]: 'cors', [EVENTS]: events, check: observedCheck('cors', events, check) };
 */
export function observedCheck<F extends (...args: never[]) => Verdict<unknown> | Promise<Verdict<unknown>>>(
  rule: RuleKind,
  events: Reporter,
  check: F,
): F {
  void telemetryReady();
  const table = tableOf(rule);
  type Args = [unknown, unknown, unknown];
  const run = check as unknown as (...args: Args) => Verdict<unknown> | Promise<Verdict<unknown>>;
  return function observed(this: unknown, a: unknown, b: unknown, c: unknown) {
    // The adapter's app sink rides on the request: from its first request on, the rule reports to that app.
    const sink = (a as { events?: EventSink } | undefined)?.events;
    if (sink !== undefined) events.attach(sink);
    else events.runsUnattended();
    const otel = api;
    if (otel === undefined) return run.call(this, a, b, c);
    // Nothing to record into (the API's no-op meter provider) and no span to annotate: the check runs bare,
    // with no clock read and no promise of ours around it. The span is the one active when the check
    // starts; an async check's continuation runs in the same context, so it is the same span.
    const registered = registry[OTEL_GLOBAL];
    const i = currentInstruments(otel, registered);
    const span = activeSpan(otel, registered);
    if (i === undefined && span === undefined) return run.call(this, a, b, c);
    const start = performance.now();
    const result = run.call(this, a, b, c);
    if (result instanceof Promise) {
      return result.then((verdict) => {
        record(i, span, table, verdict, start);
        return verdict;
      });
    }
    record(i, span, table, result, start);
    return result;
  } as unknown as F;
}

/**
 * `promise` (a JWKS fetch, a store call), timed into `bulwark.operation.duration` with `bulwark.operation`
 * and, when it fails, `error.type` (`timeout` or `error`).
 *
 * @example
 * const results = await timedOperation('ratelimit.store.consume', store.consume(entries));
 */
export function timedOperation<T>(operation: Operation, promise: Promise<T>): Promise<T> {
  const otel = api;
  if (otel === undefined) return promise;
  const i = currentInstruments(otel, registry[OTEL_GLOBAL]);
  if (i === undefined) return promise;
  const start = performance.now();
  return promise.then(
    (value) => {
      i.operationDuration.record(
        (performance.now() - start) / 1000,
        operationAttributes(operation, undefined),
      );
      return value;
    },
    (err: unknown) => {
      const type = (err as { name?: unknown } | null)?.name === 'StoreTimeout' ? 'timeout' : 'error';
      i.operationDuration.record((performance.now() - start) / 1000, operationAttributes(operation, type));
      throw err;
    },
  );
}
