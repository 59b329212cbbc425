// In-memory HTTP/1.1 connections to a real http.Server, for the in-process tools (inproc-adapters.mjs): a
// Duplex "socket" per connection, emitted as the server's 'connection', that counts the response heads written
// to it. No sockets, no kernel, no load generator sharing the CPU.
import { Duplex } from 'node:stream';

/**
 * The bytes of one keep-alive request: `{ method, path, headers, body? }` (a body gets its Content-Length).
 *
 * @example
 * rawRequest({ method: 'GET', path: '/json', headers: { accept: 'application/json' } })
 */
export function rawRequest({ method = 'GET', path, headers, body }) {
  const all = body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) };
  const head = Object.entries(all)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${head}\r\n${body ?? ''}`);
}

/**
 * One in-memory connection to `srv`: `conn.status` is the status of the last response, `conn.last` its text
 * (head and what followed it), `conn.onResponse` is called once per response head.
 */
export function connect(srv) {
  const conn = { count: 0, status: '', last: '', onResponse: () => {} };
  conn.socket = new Duplex({
    read() {},
    write(chunk, _encoding, callback) {
      // Every response head starts with its status line.
      const text = chunk.latin1Slice(0, chunk.length);
      conn.last = text.startsWith('HTTP/1.1 ') ? text : conn.last + text;
      for (let i = text.indexOf('HTTP/1.1 '); i !== -1; i = text.indexOf('HTTP/1.1 ', i + 1)) {
        conn.count++;
        conn.status = text.slice(i + 9, i + 12);
        conn.onResponse();
      }
      callback();
    },
  });
  Object.assign(conn.socket, { remoteAddress: '127.0.0.1', remotePort: 50_000, encrypted: false });
  for (const m of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref'])
    conn.socket[m] = () => conn.socket;
  srv.emit('connection', conn.socket);
  return conn;
}

/**
 * Send `n` copies of the request `bytes` over `conns`, one in flight per connection; the next is written a
 * macrotask after a response (no re-entrancy). Resolves when all `n` are answered.
 */
export function driveConnections(conns, bytes, n) {
  return new Promise((resolve) => {
    let sent = 0;
    let done = 0;
    for (const conn of conns) {
      conn.onResponse = () => {
        if (++done === n) resolve();
        else if (sent < n) {
          sent++;
          setImmediate(() => conn.socket.push(bytes));
        }
      };
    }
    for (const conn of conns) {
      if (sent < n) {
        sent++;
        conn.socket.push(bytes);
      }
    }
  });
}
