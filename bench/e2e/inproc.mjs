// In-process A/B of the fastify e2e variants: what the server's JS and node's http layer cost per request,
// without sockets, the kernel or a load generator sharing the CPU. Each variant's real http.Server gets 10
// in-memory Duplex "connections" (keep-alive, one request in flight each); process.cpuUsage() per slice,
// rounds rotated, per-round ratios to the first case. On a loaded machine the e2e harness's server CPU per
// request also measures cold caches (it grows with the code a request touches); this does not.
// Usage: node --expose-gc bench/e2e/inproc.mjs <rounds> <requests per slice> <case>...
//   case: bare | bulwark | bulwark-nojwt | bulwark-cached | bulwark:malformed | bulwark:limited |
//         static-headers (bare route plus a hook setting the same 17 headers bulwark-nojwt sends: their floor)
import { Duplex } from 'node:stream';
import { createSecurityHeaders } from '@bulwark/core';
import Fastify from 'fastify';
import { listen } from './apps/fastify.mjs';
import { makeConfig } from './config.mjs';

const [roundsArg, countArg, ...names] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const count = Number(countArg ?? 20_000);
const config = await makeConfig();

/** The headers bulwark-nojwt's 200 carries besides fastify's own, as constants. */
function staticHeaders(c) {
  const security = createSecurityHeaders({}).check({
    header: (n) => (n === 'authorization' ? 'x' : undefined),
  });
  return [
    ...security.headers,
    ['access-control-allow-origin', c.origin],
    ['vary', 'Origin'],
    ['ratelimit-policy', `"ip";q=${c.limit};w=60`],
    ['ratelimit', `"ip";r=${c.limit - 1};t=0`],
  ];
}

async function server(name) {
  const [variant, mode] = name.split(':');
  const c = { ...config.server, ...(mode === 'limited' ? { limit: 1, windowMs: 3_600_000 } : {}) };
  if (variant === 'static-headers') {
    const app = Fastify({ logger: false });
    const pairs = staticHeaders(c);
    app.addHook('onRequest', (_request, reply, done) => {
      for (const [k, v] of pairs) reply.raw.setHeader(k, v);
      done();
    });
    app.get('/json', async () => ({ hello: 'world' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server;
  }
  let found;
  await listen(mode === 'limited' ? 'bulwark-limited' : variant, c, (s) => {
    found = s;
  });
  return found;
}

function connect(srv) {
  const conn = { count: 0, status: '', onResponse: () => {} };
  conn.socket = new Duplex({
    read() {},
    write(chunk, _encoding, callback) {
      // Every response head starts with its status line.
      const text = chunk.latin1Slice(0, chunk.length);
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

const cases = [];
for (const name of names) {
  const auth = name.endsWith(':malformed') ? { authorization: 'Bearer not.a-valid.token' } : {};
  const headers = { ...config.headers, ...auth };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const srv = await server(name);
  cases.push({
    name,
    request: Buffer.from(`GET /json HTTP/1.1\r\nHost: 127.0.0.1\r\n${head}\r\n`),
    conns: Array.from({ length: 10 }, () => connect(srv)),
    cpu: [],
  });
}

/** n requests over the case's connections; the next one is written a macrotask later (no re-entrancy). */
function drive(c, n) {
  return new Promise((resolve) => {
    let sent = 0;
    let done = 0;
    for (const conn of c.conns) {
      conn.onResponse = () => {
        if (++done === n) resolve();
        else if (sent < n) {
          sent++;
          setImmediate(() => conn.socket.push(c.request));
        }
      };
    }
    for (const conn of c.conns) {
      if (sent < n) {
        sent++;
        conn.socket.push(c.request);
      }
    }
  });
}

for (const c of cases) {
  await drive(c, 3000);
  console.log(`${c.name}: HTTP ${c.conns[0].status}`);
}
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < cases.length; k++) {
    const c = cases[(r + k) % cases.length];
    globalThis.gc?.();
    const t0 = process.cpuUsage();
    await drive(c, count);
    const t = process.cpuUsage(t0);
    c.cpu.push((t.user + t.system) / count);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const c of cases) {
  const ratios = c.cpu.map((x, i) => x / cases[0].cpu[i]);
  console.log(
    `${c.name.padEnd(20)} ${median(c.cpu).toFixed(1)} µs/req, ÷ ${cases[0].name} ${median(ratios).toFixed(2)}× ` +
      `(${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}); rounds ${c.cpu.map((x) => x.toFixed(1)).join(' ')}`,
  );
}
process.exit(0);
