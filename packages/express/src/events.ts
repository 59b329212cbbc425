import { consoleLogger, createEventSink, type EventOptions, type EventSink } from '@bulwark/core';
import type { Application, Request } from 'express';

const sinks = new WeakMap<object, EventSink>();

/**
 * Where every bulwark rule of this express app reports: `onEvent` receives every event, degraded states
 * (JWKS unreachable, a failing store…) are logged once per condition to `logger` (default: the console,
 * only while no `onEvent` takes them), and `logDenials` writes a sample of routine denials. Without it
 * the degraded states still go to the console. Mounted sub-apps inherit the parent's sink.
 *
 * @example
 * const app = express();
 * observe(app, { logger: pino(), logDenials: 0.01 });
 */
export function observe(app: Application, options: EventOptions): void {
  sinks.set(app, createEventSink(options, consoleLogger, 'express.observe.'));
}

/** The sink of the app handling `req` (a mounted sub-app falls back to its parents'). */
export function eventsOf(req: Request): EventSink | undefined {
  let app: (Application & { parent?: Application }) | undefined = req.app;
  while (app !== undefined) {
    const sink = sinks.get(app);
    if (sink !== undefined) return sink;
    app = app.parent;
  }
  return undefined;
}
