import type { OnEvent, SecurityEvent } from '../events.js';
import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { boundEvent } from './bound.js';
import { eventSpec, type EventLevel } from './catalog.js';

/**
 * A structured logger in the pino/bunyan shape (`log.warn(object, message)`): fastify's `app.log`, pino,
 * bunyan. Other loggers take a three-line wrapper (the NestJS adapter wraps Nest's `Logger`).
 */
export interface EventLogger {
  error(event: SecurityEvent, message: string): void;
  warn(event: SecurityEvent, message: string): void;
  info(event: SecurityEvent, message: string): void;
}

/** Where an app's security events go: the same three options in every adapter. */
export interface EventOptions {
  /** Receives every event of every rule of the app (after the rule's own `onEvent`). */
  onEvent?: OnEvent;
  /**
   * Where degraded states (and their recovery) are written, once per condition. Default: the framework's
   * logger (fastify `app.log`, NestJS `Logger`), else the console; then only while no `onEvent` receives the
   * event. Given explicitly, it is always written to. `false`: never log.
   */
  logger?: EventLogger | false;
  /**
   * Also log routine denials (`jwt.rejected`, `ratelimit.limited`…): the fraction of them to write, from 0
   * to 1 (e.g. 0.01). Default 0: none, so an attack flood is not a log flood.
   */
  logDenials?: number;
}

/** An app's sink, resolved by its adapter from {@link EventOptions} and the framework's logger. */
export interface EventSink {
  readonly onEvent: OnEvent | undefined;
  /** Written to whatever the hooks do. */
  readonly logger: EventLogger | undefined;
  /** Written to only when no hook received the event. */
  readonly fallbackLogger: EventLogger | undefined;
  readonly denialSampleRate: number;
}

const CONSOLE: EventLogger = {
  error: (_e, m) => console.error(m),
  warn: (_e, m) => console.warn(m),
  info: (_e, m) => console.info(m),
};

/** The console as an {@link EventLogger}: lines `bulwark: <detail> (<type>)`. */
export const consoleLogger: EventLogger = CONSOLE;

/**
 * The log line of an event.
 *
 * @example
 * eventMessage({ type: 'jwt.jwks_unreachable', detail: 'JWKS unavailable: timeout' })
 * // 'bulwark: JWKS unavailable: timeout (jwt.jwks_unreachable)'
 */
export function eventMessage(event: SecurityEvent): string {
  const what = event.detail ?? event.code ?? '';
  return `bulwark: ${what}${what === '' ? '' : ' '}(${event.type})`;
}

function isLogger(value: unknown): value is EventLogger {
  const l = value as Partial<Record<EventLevel, unknown>> | null;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.error === 'function' &&
    typeof l.warn === 'function' &&
    typeof l.info === 'function'
  );
}

const EVENT_KEYS = optionKeys<EventOptions>()('onEvent', 'logger', 'logDenials');

/**
 * Check an app's event options and resolve them against the framework's logger. `at` is the option path
 * prefix for errors (`''` or `'events.'`).
 *
 * @example
 * const sink = createEventSink({ logDenials: 0.01 }, pinoToEventLogger(app.log));
 */
export function createEventSink(
  options: EventOptions,
  frameworkLogger: EventLogger = CONSOLE,
  at = '',
): EventSink {
  checkOptions(at.endsWith('.') ? at.slice(0, -1) : at, options, EVENT_KEYS);
  const { onEvent, logger, logDenials } = options;
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw new ConfigError(`${at}onEvent`, 'must be a function', '(event) => log.info(event, event.type)');
  }
  if (logger !== undefined && logger !== false && !isLogger(logger)) {
    throw new ConfigError(
      `${at}logger`,
      'needs error, warn and info methods taking (object, message), as pino has',
      'pass app.log or pino(), wrap other loggers, or false for none',
    );
  }
  // The shared number check: NaN would compare false with every draw and silently log nothing.
  const rate = numberOption(`${at}logDenials`, logDenials, { min: 0, max: 1, integer: false });
  return {
    onEvent,
    logger: logger === undefined || logger === false ? undefined : logger,
    fallbackLogger: logger === undefined ? frameworkLogger : undefined,
    denialSampleRate: rate ?? 0,
  };
}

/** The property of a rule (or a client-IP resolver) holding its {@link Reporter}. */
export const EVENTS: unique symbol = Symbol.for('bulwark.events');

/** Something that reports events through a {@link Reporter}. */
export interface Reporting {
  readonly [EVENTS]?: Reporter;
}

function call(hook: OnEvent, event: SecurityEvent): void {
  try {
    hook(event);
  } catch {
    // A logging failure must not turn into a request failure.
  }
}

function write(logger: EventLogger, level: EventLevel, event: SecurityEvent): void {
  try {
    logger[level](event, eventMessage(event));
  } catch {
    // Same: the log is never allowed to break the request.
  }
}

/**
 * One rule's way out for its events: its own `onEvent`, then every app sink it was attached to; degraded
 * states are logged (to the sink's logger, the framework's, or the console) when no hook took them.
 * Emitters report a condition once when it starts and once when it clears; the reporter never repeats.
 */
export class Reporter {
  private readonly sinks: EventSink[] = [];
  private readonly children: Reporter[] = [];
  /**
   * Startup events (configuration warnings) reported before any app sink was attached: every adapter
   * builds a rule before it can attach the app's sink (express only on the rule's first request). Each sink
   * attached later gets them; the console gets them only once the rule runs without a sink.
   */
  private held: SecurityEvent[] | undefined;
  private heldToConsole = false;
  /** Pass this wherever an `OnEvent` is taken. */
  readonly emit: OnEvent;

  constructor(
    private readonly own: OnEvent | undefined,
    private readonly rule: string | undefined,
  ) {
    this.emit = (event) => this.report(event);
  }

  /** Report to this app sink too (and make every reporter adopted by this one do so). Idempotent. */
  attach(sink: EventSink): void {
    if (this.sinks.includes(sink)) return;
    this.sinks.push(sink);
    if (this.held !== undefined) for (const event of this.held) this.deliverHeld(sink, event);
    for (const child of this.children) child.attach(sink);
  }

  /**
   * The rule runs without an app sink (a request that carries none): the startup events still held go to
   * the console now, once, unless the rule's own `onEvent` took them.
   */
  runsUnattended(): void {
    if (this.held === undefined || this.heldToConsole || this.sinks.length > 0) return;
    this.heldToConsole = true;
    if (this.own !== undefined) return;
    for (const event of this.held) write(CONSOLE, eventSpec(event.type).level, event);
  }

  private deliverHeld(sink: EventSink, event: SecurityEvent): void {
    if (sink.onEvent !== undefined) call(sink.onEvent, event);
    const logger =
      sink.logger ?? (this.own !== undefined || sink.onEvent !== undefined ? undefined : sink.fallbackLogger);
    if (logger !== undefined) write(logger, eventSpec(event.type).level, event);
  }

  /** Let `child` (a shared resolver, a key set) reach the sinks this reporter is attached to. */
  adopt(child: Reporter): void {
    if (child === this || this.children.includes(child)) return;
    this.children.push(child);
    for (const sink of this.sinks) child.attach(sink);
  }

  /**
   * Whether an event of `type` reported now would reach anyone: a hook, a log, a sampled denial log, the
   * startup events held for a sink. False lets a hot path skip building an event nobody receives (a denial
   * under attack with no hook and no sampling). Degraded states (logged by default) always answer true.
   */
  reaches(type: SecurityEvent['type']): boolean {
    const spec = eventSpec(type);
    const sinks = this.sinks;
    if (this.own !== undefined || spec.visibility === 'logged') return true;
    if (spec.startup === true && sinks.length === 0) return true;
    for (let i = 0; i < sinks.length; i++) if (sinks[i]!.onEvent !== undefined) return true;
    if (spec.visibility === 'hook') return false;
    for (let i = 0; i < sinks.length; i++) if (sinks[i]!.denialSampleRate > 0) return true;
    return false;
  }

  private report(raw: SecurityEvent): void {
    const spec = eventSpec(raw.type);
    const sinks = this.sinks;
    if (spec.startup === true && sinks.length === 0) {
      const event = boundEvent(raw, this.rule);
      if (this.own !== undefined) call(this.own, event);
      // A handful at most (one per warning the options can raise); bounded all the same.
      const held = this.held ?? [];
      this.held = held;
      if (held.length < 16) held.push(event);
      return;
    }
    let hooked = this.own !== undefined;
    for (let i = 0; !hooked && i < sinks.length; i++) hooked = sinks[i]!.onEvent !== undefined;
    // Nobody listens to denials unless asked: the common case under attack, decided without allocating.
    if (!hooked && spec.visibility !== 'logged') {
      if (spec.visibility === 'hook') return;
      let sampled = false;
      for (let i = 0; !sampled && i < sinks.length; i++) sampled = sinks[i]!.denialSampleRate > 0;
      if (!sampled) return;
    }
    const event = boundEvent(raw, this.rule);
    if (this.own !== undefined) call(this.own, event);
    for (const sink of sinks) if (sink.onEvent !== undefined) call(sink.onEvent, event);
    if (spec.visibility === 'hook') return;
    if (sinks.length === 0) {
      if (!hooked && spec.visibility === 'logged') write(CONSOLE, spec.level, event);
      return;
    }
    for (const sink of sinks) {
      const logger = sink.logger ?? (hooked ? undefined : sink.fallbackLogger);
      if (logger === undefined) continue;
      if (spec.visibility === 'logged') write(logger, spec.level, event);
      else if (sink.denialSampleRate > 0 && Math.random() < sink.denialSampleRate) {
        write(logger, 'info', event);
      }
    }
  }
}

/**
 * The reporter of a rule or resolver, if it has one.
 *
 * @example
 * reporterOf(verifier)?.attach(sink);
 */
export function reporterOf(value: unknown): Reporter | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = (value as Reporting)[EVENTS];
  // Duck-typed: a rule from a second installed copy of @bulwark/core has its own Reporter class.
  return typeof r?.attach === 'function' ? r : undefined;
}

/**
 * Attach an app's sink to a rule: everything the rule reports from now on (background JWKS refreshes
 * included) reaches the app's `onEvent` and logger too. A rule shared by two apps reports to both.
 *
 * @example
 * attachEvents(ruleFor(options.jwt, 'jwt', createJwtVerifier), sink);
 */
export function attachEvents(rule: unknown, sink: EventSink | undefined): void {
  if (sink !== undefined) reporterOf(rule)?.attach(sink);
}

/**
 * Report an event that belongs to no rule (a memory store built on Workers): logged to the console by its
 * catalogue visibility.
 *
 * @example
 * reportStandalone({ type: 'stores.per_isolate', detail });
 */
export function reportStandalone(event: SecurityEvent): void {
  standalone.emit(event);
}

const standalone = new Reporter(undefined, undefined);
