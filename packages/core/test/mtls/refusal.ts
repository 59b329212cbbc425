/**
 * Seeing why a TLS server refused a client, from both ends, so a test of a refusal cannot pass against a
 * server that is down or refusing for another reason.
 */
import type { Server, TLSSocket } from 'node:tls';
import { connect } from 'node:tls';
import type { SecureContextTarget } from '../../src/node/rotation.js';
import type { TestLeaf } from './pki.js';

/** What a client saw of a connection the server may have refused. */
export interface ClientView {
  /** The client finished its side of the handshake and trusted the server certificate: the server is up. */
  readonly serverAuthenticated: boolean;
  /** The error the client's TLS stack raised (a received alert is `ERR_SSL_TLSV13_ALERT_…`), if any. */
  readonly errorCode: string | undefined;
  /** HTTP bytes the server answered before the connection ended. */
  readonly response: string;
}

/**
 * One TLS 1.3 connection that sends `GET path` once the handshake completes. TLS 1.3 lets the client finish
 * before the server has judged the client certificate, so a refusal shows up after `serverAuthenticated`:
 * as an alert, or as a close without any HTTP answer. A server that is down fails before that.
 *
 * @example
 * const seen = await tlsAttempt(app.url, '/mtls/billing', pki.ca.certPem, undefined);
 */
export function tlsAttempt(
  base: string,
  path: string,
  caPem: string,
  client: TestLeaf | undefined,
): Promise<ClientView> {
  const url = new URL(base);
  return new Promise((resolve) => {
    let serverAuthenticated = false;
    let errorCode: string | undefined;
    let response = '';
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      ca: caPem,
      servername: 'localhost',
      minVersion: 'TLSv1.3',
      ...(client !== undefined ? { cert: client.certPem, key: client.keyPem } : {}),
    });
    socket.on('secureConnect', () => {
      serverAuthenticated = socket.authorized;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString('latin1');
    });
    socket.on('error', (err: Error & { code?: string }) => {
      errorCode = err.code ?? err.message;
    });
    socket.on('close', () => resolve({ serverAuthenticated, errorCode, response }));
  });
}

/**
 * Record the server's side of refused handshakes: `tlsClientError` with the OpenSSL code, or, when node
 * itself rejected the verified chain, the socket's `authorizationError` (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`…).
 * `next()` waits for the first refusal after the call (call it before connecting).
 *
 * @example
 * const refusals = watchRefusals(); // spec.mtls.onServer = refusals.attach
 * const why = refusals.next(); await tlsAttempt(…); expect(await why).toBe('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
 */
export function watchRefusals(): {
  attach: (server: SecureContextTarget) => void;
  next: () => Promise<string>;
} {
  let waiting: ((why: string) => void) | undefined;
  return {
    attach(server) {
      (server as unknown as Server).on(
        'tlsClientError',
        (err: Error & { code?: string }, socket: TLSSocket) => {
          const rejected = (socket as TLSSocket & { authorizationError?: string | null }).authorizationError;
          waiting?.(String(rejected ?? err.code ?? err.message));
          waiting = undefined;
        },
      );
    },
    next() {
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve('no tlsClientError within 5 s'), 5_000);
        waiting = (why) => {
          clearTimeout(timer);
          resolve(why);
        };
      });
    },
  };
}
