import { consoleLogger, createEventSink, type EventOptions, type EventSink } from '@bulwark/core';
import type { MiddlewareHandler } from 'hono';

const sinks = new WeakMap<Request, EventSink>();

/**
 * Middleware saying where every bulwark rule of the requests it sees reports: `onEvent` receives every
 * event, degraded states (JWKS unreachable, a failing store…) are logged once per condition to `logger`
 * (default: the console, only while no `onEvent` takes them), `logDenials` writes a sample of routine
 * denials. Register it first (`app.use(observe(…))`), before the routes and the other bulwark middleware.
 *
 * @example
 * app.use(observe({ onEvent: (e) => metrics.count(e.type), logDenials: 0.01 }));
 */
export function observe(options: EventOptions): MiddlewareHandler {
  const sink = createEventSink(options, consoleLogger, 'hono.observe.');
  return async function bulwarkEvents(c, next) {
    sinks.set(c.req.raw, sink);
    await next();
  };
}

/** The sink `observe()` set for this request, if any. */
export function eventsOf(raw: Request): EventSink | undefined {
  return sinks.get(raw);
}
