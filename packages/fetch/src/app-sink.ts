import type { EventSink } from '@bulwark/core';
import { notedOn, notesOf } from './request-notes.js';

/**
 * The app sink of each protect()ed handler (here), and of each request a protect() checked (in the
 * request's notes): how a standalone wrapper around it (cors) finds the app its events belong to, since the
 * sink is given in protect's policy.
 */
const handlerSinks = new WeakMap<object, EventSink>();
// Requests are only marked once a wrapper looks for them: no cost on the hot path of apps without one.
let watched = false;

/**
 * Remember the app sink of a protect()ed handler, or of a request it checks.
 *
 * @example
 * rememberSink(protectedHandler, events);
 */
export function rememberSink(target: object, sink: EventSink): void {
  if (typeof target === 'function') handlerSinks.set(target, sink);
  else if (watched) notesOf(target).sink = sink;
}

/**
 * The app sink of a protect()ed handler or of a request a protect() checked. The first call makes every
 * protect() mark its requests from then on.
 *
 * @example
 * attachEvents(policy, sinkOf(handler));
 */
export function sinkOf(target: object): EventSink | undefined {
  watched = true;
  return typeof target === 'function' ? handlerSinks.get(target) : notedOn(target)?.sink;
}
