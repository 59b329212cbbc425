import type { RuleKind } from '../rule.js';
import type { EventSink, Reporter } from './reporter.js';
import type { Verdict } from '../verdict.js';

// The slice of @opentelemetry/api bulwark uses, typed here so that no type of it reaches our declarations.
type Attributes = Readonly<Record<string, string>>;
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
let provider: MeterProviderLike | undefined;
let instruments: Instruments | undefined;

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

function currentInstruments(otel: OtelApi): Instruments | undefined {
  const p = otel.metrics.getMeterProvider();
  if (p !== provider) {
    provider = p;
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
  }
  return instruments;
}

interface DecisionAttributes {
  readonly metric: Attributes;
  readonly span: Attributes;
}

function attributeSet(rule: RuleKind, outcome: Outcome, code: string | undefined): DecisionAttributes {
  const metric: Record<string, string> = { 'bulwark.rule': rule, 'bulwark.outcome': outcome };
  const span: Record<string, string> = { [`bulwark.${rule}.outcome`]: outcome };
  if (code !== undefined) {
    metric['bulwark.code'] = code;
    span['bulwark.code'] = code;
    span['bulwark.rule'] = rule;
  }
  return { metric: Object.freeze(metric), span: Object.freeze(span) };
}

/**
 * The frozen attribute sets of one rule: the two without a code built with the rule, one per code (bulwark's
 * own, so bounded) for denials and degraded decisions on first use. Nothing is built per decision.
 */
class AttributeTable {
  readonly allowed: DecisionAttributes;
  readonly answered: DecisionAttributes;
  private readonly denied = new Map<string, DecisionAttributes>();
  private readonly degraded = new Map<string, DecisionAttributes>();

  constructor(private readonly rule: RuleKind) {
    this.allowed = attributeSet(rule, 'allowed', undefined);
    this.answered = attributeSet(rule, 'answered', undefined);
  }

  of(verdict: Verdict<unknown>): DecisionAttributes {
    const code = verdict.ok ? verdict.degraded?.code : verdict.error?.code;
    if (code === undefined) return verdict.ok ? this.allowed : this.answered;
    const outcome: Outcome = verdict.ok ? 'degraded' : 'denied';
    const byCode = verdict.ok ? this.degraded : this.denied;
    let found = byCode.get(code);
    if (found === undefined) {
      found = attributeSet(this.rule, outcome, code);
      byCode.set(code, found);
    }
    return found;
  }
}

// One table per rule kind, shared by every rule of that kind.
const tables = new Map<RuleKind, AttributeTable>();

function tableOf(rule: RuleKind): AttributeTable {
  let table = tables.get(rule);
  if (table === undefined) {
    table = new AttributeTable(rule);
    tables.set(rule, table);
  }
  return table;
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
    const i = currentInstruments(otel);
    const span = otel.trace.getActiveSpan();
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
  const i = currentInstruments(otel);
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

const operationCache = new Map<string, Attributes>();

function operationAttributes(operation: Operation, errorType: 'timeout' | 'error' | undefined): Attributes {
  const key = `${operation}|${errorType ?? ''}`;
  let found = operationCache.get(key);
  if (found === undefined) {
    found = Object.freeze(
      errorType === undefined
        ? { 'bulwark.operation': operation }
        : { 'bulwark.operation': operation, 'error.type': errorType },
    );
    operationCache.set(key, found);
  }
  return found;
}
