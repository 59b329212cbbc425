import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestLike } from '../http/request.js';
import type { EventSink } from '../observe/reporter.js';

/**
 * A node `IncomingMessage` seen as a {@link RequestLike}. Headers are read straight from `req.headers`
 * (no WHATWG `Headers`/`Request` is built: that would cost tens of µs per request).
 */
class NodeRequest implements RequestLike {
  rawBody: Uint8Array | undefined;

  constructor(
    private readonly req: IncomingMessage,
    url: string | undefined,
    rawBody: Uint8Array | undefined,
    readonly events: EventSink | undefined,
  ) {
    this.url = url ?? req.url ?? '/';
    this.rawBody = rawBody;
  }

  readonly url: string;

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get remoteAddress(): string | undefined {
    return this.req.socket?.remoteAddress;
  }

  get peerCertificate(): Uint8Array | undefined {
    const socket = this.req.socket as TLSSocket | undefined;
    if (
      socket === undefined ||
      typeof socket.getPeerCertificate !== 'function' ||
      socket.authorized !== true
    ) {
      return undefined;
    }
    const cert = socket.getPeerCertificate(false);
    return cert?.raw === undefined ? undefined : new Uint8Array(cert.raw);
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : value.join(', ');
  }

  headerValues(name: string): readonly string[] {
    // node drops duplicates of some headers (authorization among them) from req.headers; rawHeaders keeps all.
    const raw = this.req.rawHeaders;
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const key = raw[i]!;
      // A name sent as it is asked for (lowercase: HTTP/2, most clients) is found without a lowercase copy.
      if (key.length === name.length && (key === name || key.toLowerCase() === name)) out.push(raw[i + 1]!);
    }
    return out;
  }
}

/**
 * Adapt a node `IncomingMessage` (also express and fastify's `.raw`) to a {@link RequestLike}.
 * `url` overrides `req.url` (express rewrites it under mounted routers; pass `originalUrl`).
 *
 * @example
 * const verdict = await verifier.check(fromNodeRequest(req));
 */
export function fromNodeRequest(
  req: IncomingMessage,
  options: { url?: string; rawBody?: Uint8Array; events?: EventSink | undefined } = {},
): RequestLike {
  return new NodeRequest(req, options.url, options.rawBody, options.events);
}
