import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A plain node server on 127.0.0.1:0 used as a browser test peer (page origin, proxy, report collector). */
export interface PeerServer {
  readonly port: number;
  close(): Promise<void>;
}

async function start(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  return (server.address() as AddressInfo).port;
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Serves `html()` at every path: the page of "origin A" that calls the API cross-origin. */
export async function servePage(html: () => string): Promise<PeerServer> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html());
  });
  const port = await start(server);
  return { port, close: () => stop(server) };
}

/** Forwards every request to `target` unchanged and counts them by method (to see preflights), as sent. */
export async function countingProxy(target: string): Promise<PeerServer & { count(method: string): number }> {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    counts.set(req.method ?? '', (counts.get(req.method ?? '') ?? 0) + 1);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  // Node's parser refuses methods it does not know (a lowercase `patch`): count those too, from the bytes
  // the browser sent, so a test can see that the browser sent the request at all.
  server.on('clientError', (err: Error & { rawPacket?: Buffer }, socket) => {
    const raw = err.rawPacket?.toString('latin1') ?? '';
    const method = raw.slice(0, Math.max(0, raw.indexOf(' ')));
    if (method !== '') counts.set(method, (counts.get(method) ?? 0) + 1);
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  const port = await start(server);
  return { port, count: (m) => counts.get(m) ?? 0, close: () => stop(server) };
}

/** A received violation report. */
export interface ReceivedReport {
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 65_536) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Collects CSP reports (report-uri and Reporting API), answering the Reporting API's CORS preflight. */
export async function reportCollector(): Promise<PeerServer & { reports: ReceivedReport[] }> {
  const reports: ReceivedReport[] = [];
  const server = createServer(async (req, res) => {
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const body = await readBody(req);
    reports.push({ path: req.url ?? '/', contentType: String(req.headers['content-type'] ?? ''), body });
    res.writeHead(204, cors).end();
  });
  const port = await start(server);
  return { port, reports, close: () => stop(server) };
}

/** Poll `check` every 50 ms until it is true or `ms` passed (bounded waiting for asynchronous browser work). */
export async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
