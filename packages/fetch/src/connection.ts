import { type ConnectionInfo, connectionOf } from '@bulwark/core';
import { notedOn, notesOf } from './request-notes.js';

// The connection each request arrived on, as first read by an outer entry point (securityHeaders, cors,
// protect), is noted on the request. A wrapper in between may pass its handler something else than the
// runtime's own argument (a copy with a nonce added, which loses Bun's server methods), so inner entry
// points fall back to it.

/**
 * The connection facts of `request`, from the runtime's argument (Bun `server`, Deno `info`, node bridge,
 * @hono/node-server), else from what an outer bulwark entry point read for the same request.
 *
 * @example
 * const connection = connectionFor(request, server);
 */
export function connectionFor(request: Request, runtime: unknown): ConnectionInfo {
  const direct = connectionOf(request, runtime);
  if (direct.remoteAddress !== undefined || direct.peerCertificate !== undefined) {
    notesOf(request).connection = direct;
    return direct;
  }
  return notedOn(request)?.connection ?? direct;
}
