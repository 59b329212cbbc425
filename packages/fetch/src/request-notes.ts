import type { ConnectionInfo, EventSink, HeaderPair } from '@bulwark/core';

/**
 * What bulwark's wrappers note about one request for each other: the connection an outer entry point read,
 * the CORS answer a `cors` wrapper decided, the app sink of the protect() that checked it. One entry per
 * request, made by the first wrapper that notes something (an ephemeron insert costs ~10× a property
 * store: one per fact made three per request).
 */
class RequestNotes {
  connection: ConnectionInfo | undefined = undefined;
  /** The runtime argument `connection` was read from. */
  runtime: unknown = undefined;
  cors: readonly HeaderPair[] | undefined = undefined;
  sink: EventSink | undefined = undefined;
}

const notes = new WeakMap<object, RequestNotes>();

/**
 * The notes of `request`, made now if it has none yet.
 *
 * @example
 * notesOf(request).cors = verdict.headers;
 */
export function notesOf(request: object): RequestNotes {
  let n = notes.get(request);
  if (n === undefined) {
    n = new RequestNotes();
    notes.set(request, n);
  }
  return n;
}

/**
 * The notes of `request`, if a wrapper made any.
 *
 * @example
 * const cors = notedOn(request)?.cors;
 */
export function notedOn(request: object): RequestNotes | undefined {
  return notes.get(request);
}
