import type { EventSink } from '../observe/reporter.js';
/**
 * The structural request every core rule reads. A node `IncomingMessage` fits through
 * `fromNodeRequest` (in `@bulwark/core/node`), a WHATWG `Request` through `fromFetchRequest`.
 * Nothing here forces a `Headers` object to be built on the hot path.
 *
 * @example
 * const req: RequestLike = { method: 'GET', url: '/orders', header: (n) => headers[n], remoteAddress: '127.0.0.1' };
 */
export interface RequestLike {
  /** Uppercase HTTP method. */
  readonly method: string;
  /** Origin-form (`/a?b`) or absolute URL. */
  readonly url: string;
  /**
   * Value of a header by lowercase name, or `undefined`. Repeated headers are joined with `, `
   * (set-cookie aside) as node does; rules that must detect repetition use {@link RequestLike.headerValues}.
   */
  header(name: string): string | undefined;
  /** Every occurrence of a header, when the runtime can tell them apart. */
  headerValues?(name: string): readonly string[];
  /** Socket peer address (may be IPv4-mapped IPv6 as node reports it). */
  readonly remoteAddress?: string | undefined;
  /** Raw body bytes, for rules that sign or hash the body (webhooks). */
  readonly rawBody?: Uint8Array | undefined;
  /** DER of the verified TLS peer certificate, for mTLS rules. */
  readonly peerCertificate?: Uint8Array | undefined;
  /**
   * The app's event sink, set by the adapter: the rule that checks this request reports to it from then on
   * (background JWKS refreshes included).
   */
  readonly events?: EventSink | undefined;
}

/**
 * The path of a request URL without its query string.
 *
 * @example
 * requestPath('/orders?id=1') // '/orders'
 */
export function requestPath(url: string): string {
  let start = 0;
  if (url.charCodeAt(0) !== 47 /* / */) {
    const scheme = url.indexOf('://');
    if (scheme !== -1) {
      const slash = url.indexOf('/', scheme + 3);
      if (slash === -1) return '/';
      start = slash;
    }
  }
  const q = url.indexOf('?', start);
  const h = url.indexOf('#', start);
  let end = url.length;
  if (q !== -1) end = q;
  if (h !== -1 && h < end) end = h;
  return url.slice(start, end);
}

/**
 * Wrap a WHATWG `Request` as a {@link RequestLike}.
 *
 * @example
 * const verdict = await verifier.check(fromFetchRequest(request));
 */
export function fromFetchRequest(
  request: Request,
  extra: {
    remoteAddress?: string;
    rawBody?: Uint8Array;
    peerCertificate?: Uint8Array;
    events?: EventSink | undefined;
  } = {},
): RequestLike {
  const headers = request.headers;
  return {
    method: request.method,
    url: request.url,
    header: (name) => headers.get(name) ?? undefined,
    remoteAddress: extra.remoteAddress,
    rawBody: extra.rawBody,
    peerCertificate: extra.peerCertificate,
    events: extra.events,
  };
}
