import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ConnectionInfo } from '../pipeline.js';

/** A fetch handler as `protect()` returns it. */
export type NodeServedHandler = (request: Request, info: ConnectionInfo) => Promise<Response>;

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /** Request bodies above this many bytes get 413 before the handler runs. Default 1 MiB. */
  maxBodyBytes?: number;
}

function connectionInfo(req: IncomingMessage): ConnectionInfo {
  const socket = req.socket as TLSSocket;
  const info: ConnectionInfo = {};
  if (socket.remoteAddress !== undefined) info.remoteAddress = socket.remoteAddress;
  if (typeof socket.getPeerCertificate === 'function' && socket.authorized === true) {
    const raw = socket.getPeerCertificate(false)?.raw;
    if (raw !== undefined) info.peerCertificate = new Uint8Array(raw);
  }
  return info;
}

async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | 'too-large' | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return 'too-large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toRequest(req: IncomingMessage, body: Uint8Array | undefined): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const scheme = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  return new Request(`${scheme}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(body !== undefined ? { body: body as Uint8Array<ArrayBuffer> } : {}),
  });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  res.end(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
}

/**
 * Serve a fetch handler with node's `http`/`https` server. The socket peer address and the verified TLS
 * client certificate reach the handler as {@link ConnectionInfo}, which the rules need (client IP, mTLS).
 *
 * @example
 * import { createServer } from 'node:http';
 * createServer(toNodeListener(protect(handler, policy))).listen(3000, '127.0.0.1');
 */
export function toNodeListener(
  handler: NodeServedHandler,
  options: NodeListenerOptions = {},
): RequestListener {
  const limit = options.maxBodyBytes ?? 1_048_576;
  return (req, res) => {
    readBody(req, limit)
      .then(async (body) => {
        if (body === 'too-large') {
          res.writeHead(413, { 'content-type': 'application/problem+json', connection: 'close' });
          res.end(JSON.stringify({ title: 'Content Too Large', status: 413, code: 'BODY_TOO_LARGE' }));
          return;
        }
        await writeResponse(res, await handler(toRequest(req, body), connectionInfo(req)));
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ title: 'Internal Server Error', status: 500 }));
      });
  };
}
