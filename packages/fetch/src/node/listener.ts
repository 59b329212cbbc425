import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { deny, isSecurityError, SecurityError } from '@bulwark/core';
import { checkOptions, numberOption } from '@bulwark/core/toolkit';
import { writeReply } from '@bulwark/core/node';
import type { ConnectionInfo } from '../pipeline.js';
import { REPLY_TEXT, type WithReplyText } from '../reply.js';
import { NodeConnection } from '../connection.js';

/** A fetch handler as `protect()` returns it. */
export type NodeServedHandler = (request: Request, info: ConnectionInfo) => Promise<Response>;

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /** Request bodies above this many bytes are refused with 413 `HTTP_BODY_TOO_LARGE` when read. Default 1 MiB. */
  maxBodyBytes?: number;
}

function connectionInfo(req: IncomingMessage): ConnectionInfo {
  const socket = req.socket as TLSSocket;
  const info = new NodeConnection();
  if (socket.remoteAddress !== undefined) info.remoteAddress = socket.remoteAddress;
  if (typeof socket.getPeerCertificate === 'function' && socket.authorized === true) {
    const raw = socket.getPeerCertificate(false)?.raw;
    if (raw !== undefined) info.peerCertificate = new Uint8Array(raw);
  }
  return info;
}

/**
 * Thrown into the request body stream (and so out of `request.json()`, `arrayBuffer()`, a reader) when the
 * client sends more than `maxBodyBytes`: `securityHeaders()` answers it as this 413 with every header the
 * app's wrappers add, like the body-parser errors of the node frameworks.
 */
const HTTP_BODY_TOO_LARGE = new SecurityError({
  code: 'HTTP_BODY_TOO_LARGE',
  status: 413,
  message: 'The request body is too large.',
});

/**
 * The request body as a stream that refuses more than `limit` bytes: by `content-length` on the first read,
 * and by counting while streaming (chunked bodies have no length), so an oversize body is never buffered
 * whole. The handler decides whether to read it at all (a 404 never does).
 */
function bodyStream(
  req: IncomingMessage,
  limit: number,
  onTooLarge: () => void,
): ReadableStream<Uint8Array> | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  // HTTP/1.x frames a request body by Content-Length or Transfer-Encoding, and a request with neither has
  // none (RFC 9112 §6.3): a CORS preflight, a bodiless POST. No stream, no reader for it (HTTP/2 has no such
  // rule: its bodies may come without a length).
  if (
    req.httpVersionMajor === 1 &&
    req.headers['content-length'] === undefined &&
    req.headers['transfer-encoding'] === undefined
  ) {
    return undefined;
  }
  const declared = Number(req.headers['content-length']);
  const chunks = req[Symbol.asyncIterator]();
  let size = 0;
  const tooLarge = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    onTooLarge();
    controller.error(HTTP_BODY_TOO_LARGE);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (declared > limit) return tooLarge(controller);
      const next = await chunks.next();
      if (next.done === true) return controller.close();
      const chunk = next.value as Buffer;
      size += chunk.length;
      if (size > limit) return tooLarge(controller);
      controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}

function toRequest(req: IncomingMessage, body: ReadableStream<Uint8Array> | undefined): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const scheme = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  return new Request(`${scheme}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(body !== undefined ? { body, duplex: 'half' } : {}),
  } as RequestInit);
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  // The head as one flat list (name, value, name, value…), in the order the Headers iterate: each Set-Cookie
  // is its own entry there (fetch's "sort and combine"), so no getSetCookie() and no object keyed by name.
  const head: string[] = [];
  response.headers.forEach((value, name) => {
    head.push(name, value);
  });
  res.writeHead(response.status, head);
  // A reply bulwark built (a refusal…) carries its body's text: written from it, unless something read or
  // took the body stream since (then the stream is what the body is). The stream is left unread.
  const text = (response as WithReplyText)[REPLY_TEXT];
  const body = response.body;
  if (text !== undefined && body !== null && !response.bodyUsed && !body.locked) {
    res.end(text);
    return;
  }
  res.end(body === null ? undefined : Buffer.from(await response.arrayBuffer()));
}

/**
 * Serve a fetch handler with node's `http`/`https` server. The socket peer address and the verified TLS
 * client certificate reach the handler as {@link ConnectionInfo}, which the rules need (client IP, mTLS).
 * The body streams to the handler; more than `maxBodyBytes` is a 413 `HTTP_BODY_TOO_LARGE` thrown out of the
 * body read, which `securityHeaders()` answers with the app's headers (an unwrapped handler gets the bare
 * problem), and the connection is closed rather than reading the rest.
 *
 * @example
 * import { createServer } from 'node:http';
 * createServer(toNodeListener(securityHeaders(protect(handler, policy)))).listen(3000, '127.0.0.1');
 */
export function toNodeListener(
  handler: NodeServedHandler,
  options: NodeListenerOptions = {},
): RequestListener {
  checkOptions('fetch.toNodeListener', options, ['maxBodyBytes']);
  // NaN would compare false with every size and switch the cap off.
  const limit = numberOption('fetch.toNodeListener.maxBodyBytes', options.maxBodyBytes, {
    min: 1,
    max: 1_073_741_824,
    fallback: 1_048_576,
  });
  return (req, res) => {
    let refused = false;
    const body = bodyStream(req, limit, () => {
      refused = true;
    });
    handler(toRequest(req, body), connectionInfo(req))
      .then(async (response) => {
        // The rest of an oversize body is never read: do not leave it in the connection.
        if (refused) res.shouldKeepAlive = false;
        await writeResponse(res, response);
      })
      .catch((error: unknown) => {
        if (refused) res.shouldKeepAlive = false;
        if (isSecurityError(error)) return writeReply(res, deny(error).reply);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ title: 'Internal Server Error', status: 500 }));
      });
  };
}
