import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { SecureContextTarget } from '@bulwark/core/node';
import type { AddressInfo } from 'node:net';
import type { RunningApp } from '@bulwark/conformance';
import type { ConnectionInfo } from '../src/index.js';
import { toNodeListener } from '../src/node/index.js';

/**
 * Serve a fetch handler on node over real HTTP (127.0.0.1:0) through the adapter's own node bridge; over HTTPS
 * when `tls` is given (mTLS scenarios: the bridge passes the verified client certificate as `info.peerCertificate`).
 */
export async function serveFetch(
  handler: (request: Request, info: ConnectionInfo) => Promise<Response>,
  tls?: TlsOptions,
  onServer?: (server: SecureContextTarget) => void,
): Promise<RunningApp> {
  const server = tls
    ? createHttpsServer(tls, toNodeListener(handler))
    : createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  if (tls) onServer?.(server as never);
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
