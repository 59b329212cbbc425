/**
 * What the serving runtime knows about a connection. Each runtime hands a fetch handler this knowledge in
 * its own shape, as the argument after the request; {@link connectionOf} reads every shape into this one.
 */
export interface ConnectionInfo {
  /** Socket peer address, as the runtime reports it (may be IPv4-mapped IPv6). */
  remoteAddress?: string;
  /** DER of the verified TLS client certificate. */
  peerCertificate?: Uint8Array;
}

interface NavigatorLike {
  readonly userAgent?: unknown;
}

/**
 * True inside Cloudflare's workerd (deployed Workers, `wrangler dev`, miniflare): the one runtime whose
 * fetch handler gets no socket address at all, and whose memory is per isolate. Cloudflare documents
 * `navigator.userAgent` as `Cloudflare-Workers` there.
 *
 * @example
 * if (isCloudflareWorkers()) console.warn('memory stores count per isolate here');
 */
export function isCloudflareWorkers(): boolean {
  const nav = (globalThis as { navigator?: NavigatorLike }).navigator;
  return nav?.userAgent === 'Cloudflare-Workers';
}

type BunServerLike = { requestIP(request: Request): { address?: unknown } | null | undefined };
type DenoInfoLike = { remoteAddr: { hostname?: unknown } };
type NodeServerEnvLike = {
  incoming: { socket?: { remoteAddress?: unknown; authorized?: unknown; getPeerCertificate?: unknown } };
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

function fromNodeSocket(socket: NodeServerEnvLike['incoming']['socket']): ConnectionInfo {
  const info: ConnectionInfo = {};
  if (typeof socket?.remoteAddress === 'string') info.remoteAddress = socket.remoteAddress;
  if (socket?.authorized === true && typeof socket.getPeerCertificate === 'function') {
    const raw = (socket.getPeerCertificate as (detailed: boolean) => { raw?: Uint8Array } | undefined)(
      false,
    )?.raw;
    if (raw !== undefined) info.peerCertificate = new Uint8Array(raw);
  }
  return info;
}

/**
 * The connection facts behind a fetch handler's second argument, read the way each runtime passes them:
 * Bun's `server` (`server.requestIP(request)`), Deno's `info.remoteAddr`, @hono/node-server's
 * `{ incoming }` (the node socket, and its verified client certificate), or a {@link ConnectionInfo}
 * (`@bulwark/fetch/node`). On Cloudflare Workers the second argument is `env` and nothing in it is a
 * connection fact, so it is never read: the client address there comes from the platform's header
 * (`clientIp: { platform: 'cloudflare' }`). Anything else gives `{}`: no address, which per-IP rules
 * refuse rather than guess.
 *
 * @example
 * Bun.serve({ fetch: (request, server) => handle(request, connectionOf(request, server)) });
 * Deno.serve((request, info) => handle(request, connectionOf(request, info)));
 */
export function connectionOf(request: Request, runtime: unknown): ConnectionInfo {
  if (!isObject(runtime) || isCloudflareWorkers()) return {};
  if (typeof runtime.requestIP === 'function') {
    const address = (runtime as BunServerLike).requestIP(request)?.address;
    return typeof address === 'string' ? { remoteAddress: address } : {};
  }
  if (isObject(runtime.remoteAddr)) {
    // Deno: a Deno.NetAddr for TCP; a Unix socket has a path and no address.
    const hostname = (runtime as DenoInfoLike).remoteAddr.hostname;
    return typeof hostname === 'string' ? { remoteAddress: hostname } : {};
  }
  if (isObject(runtime.incoming)) return fromNodeSocket((runtime as NodeServerEnvLike).incoming.socket);
  const info: ConnectionInfo = {};
  if (typeof runtime.remoteAddress === 'string') info.remoteAddress = runtime.remoteAddress;
  if (runtime.peerCertificate instanceof Uint8Array) info.peerCertificate = runtime.peerCertificate;
  return info;
}
