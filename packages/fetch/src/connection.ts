import { type ConnectionInfo, connectionOf } from '@bulwark/core';
import { notedOn, notesOf } from './request-notes.js';

// The connection each request arrived on, as first read by an outer entry point (securityHeaders, cors,
// protect), is noted on the request. A wrapper in between may pass its handler something else than the
// runtime's own argument (a copy with a nonce added, which loses Bun's server methods), so inner entry
// points fall back to it.

/**
 * The connection facts the node bridge hands a handler (`@bulwark/fetch/node`), read as they are: core's
 * `connectionOf` would first ask whether this is Cloudflare's runtime (`navigator.userAgent`, a getter of
 * ~0.2 µs on Node 24) and copy them.
 */
export class NodeConnection implements ConnectionInfo {
  declare remoteAddress?: string;
  declare peerCertificate?: Uint8Array;
}

/**
 * The connection facts of `request`, from the runtime's argument (Bun `server`, Deno `info`, node bridge,
 * @hono/node-server), else from what an outer bulwark entry point read for the same request.
 *
 * @example
 * const connection = connectionFor(request, server);
 */
export function connectionFor(request: Request, runtime: unknown): ConnectionInfo {
  const noted = notedOn(request);
  // An outer entry point read this same runtime argument for this request: the facts are the ones it read.
  if (noted?.connection !== undefined && noted.runtime === runtime) return noted.connection;
  const direct = runtime instanceof NodeConnection ? runtime : connectionOf(request, runtime);
  if (direct.remoteAddress !== undefined || direct.peerCertificate !== undefined) {
    const notes = noted ?? notesOf(request);
    notes.connection = direct;
    notes.runtime = runtime;
    return direct;
  }
  return noted?.connection ?? direct;
}
