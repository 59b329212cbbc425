import { createEventSink, type EventLogger, type EventOptions, type EventSink } from '@bulwark/core';
import type { FastifyInstance } from 'fastify';

const SINK: unique symbol = Symbol.for('bulwark.fastify.events');
const defaults = new WeakMap<object, EventSink>();

/** The event options of the plugin, picked from its options (the same three keys in every adapter). */
export function pickEventOptions(options: EventOptions): EventOptions {
  return {
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.logDenials !== undefined ? { logDenials: options.logDenials } : {}),
  };
}

/**
 * Where degraded states go when the app names no sink: the server's pino logger when it has one. A server
 * created without `logger` (fastify's default) has a `log` that drops everything, so the console instead:
 * a JWKS outage must never be silent by default.
 */
export function frameworkLogger(server: FastifyInstance): EventLogger | undefined {
  return typeof server.log.level === 'string' ? (server.log as EventLogger) : undefined;
}

/** Make `sink` the one every bulwark rule of `app` (and of its child contexts) reports to. */
export function setEvents(app: FastifyInstance, sink: EventSink): void {
  if (!app.hasDecorator(SINK)) app.decorate(SINK, sink);
}

/**
 * The sink of the server handling a request: the plugin's, else one writing degraded states to the
 * server's own logger (see {@link frameworkLogger}), so a route hook used without the plugin is not silent either.
 */
export function eventsOf(server: FastifyInstance): EventSink {
  const set = (server as unknown as { [SINK]?: EventSink })[SINK];
  if (set !== undefined) return set;
  let sink = defaults.get(server);
  if (sink === undefined) {
    sink = createEventSink({}, frameworkLogger(server));
    defaults.set(server, sink);
  }
  return sink;
}
