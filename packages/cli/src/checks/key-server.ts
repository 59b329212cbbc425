import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';

/** What the key server serves and what it saw. */
export interface KeyServer {
  /** Base URL the API is told to fetch from (the real port when the flag said :0). */
  readonly url: string;
  /** Paths the API fetched, in order. */
  readonly fetched: string[];
  close(): Promise<void>;
}

const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0', '[::]']);

/**
 * Serve the attacker's JWKS and certificate for the `jku` / `x5u` probes, on the URL given by `--key-server`.
 * It listens only for the JWT phase and records every fetch (an API that fetches header URLs at all is an
 * SSRF channel even when it then rejects the token). Loopback URLs bind loopback; any other host name binds
 * all interfaces on that port, for a tunnel or port-forward the user set up.
 *
 * @example
 * const server = await startKeyServer('http://127.0.0.1:0', { '/jwks.json': ['application/json', jwks] });
 */
export async function startKeyServer(
  base: string,
  files: Readonly<Record<string, readonly [contentType: string, body: string]>>,
): Promise<KeyServer> {
  const url = new URL(base);
  if (url.protocol !== 'http:') throw new UsageError('--key-server must be an http:// URL on this machine');
  const fetched: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    fetched.push(path);
    const file = files[path];
    if (file === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
  });
  const host = LOCAL.has(url.hostname) ? url.hostname.replace(/^\[|\]$/g, '') : undefined;
  server.listen(Number(url.port || 80), host);
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => {
        throw err;
      }),
    ]);
  } catch (err) {
    throw new UsageError(
      `--key-server: cannot listen on ${url.host} (${(err as { code?: string }).code ?? 'error'})`,
    );
  }
  const port = (server.address() as AddressInfo).port;
  const publicUrl = new URL(url.href);
  publicUrl.port = url.port === '0' ? String(port) : url.port;
  return {
    url: publicUrl.href.replace(/\/$/, ''),
    fetched,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
