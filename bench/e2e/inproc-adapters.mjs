// In-process A/B of the e2e variants of the express, NestJS (both platforms), fetch and Hono adapters, as
// inproc.mjs does for fastify: what the server's JS and node's http layer cost per request, without
// sockets, the kernel or a load generator sharing the CPU. Node servers (express, nestjs, nestjs-fastify,
// fetch through @bulwark/fetch/node) are the e2e apps' real http.Servers fed by 10 in-memory Duplex
// "connections" (keep-alive, one request in flight each); `fetch-direct` and `hono` call the handler with a
// WHATWG Request per request and read the whole response body. process.cpuUsage() per slice, rounds
// rotated, per-round ratios to the first case.
// Usage: node --expose-gc bench/e2e/inproc-adapters.mjs <framework> <rounds> <requests per slice> <case>...
//   (WARMUP=<n>: requests per case before timing, default 1000; SHOW_HEAD=1 prints each case's last response)
//   framework: express | nestjs | nestjs-fastify | fetch | fetch-direct | hono
//   case: bare | static-headers (bare route plus the 14 headers bulwark-nojwt adds, as constants: the floor
//     of a refusal) | bulwark | bulwark-nojwt | bulwark-cached, optionally with a refusal mode:
//     :malformed (Bearer not.a-valid.token → 401), :algnone (an `alg: none` token → 401),
//     :limited (limit 1 per hour → 429), :cors (preflight from an origin not listed → 403)
//   e.g. node --expose-gc bench/e2e/inproc-adapters.mjs nestjs 7 5000 bare bulwark-nojwt bulwark:malformed bulwark:limited
import { Server } from 'node:net';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createSecurityHeaders } from '@bulwark/core';
import { jwtOptions } from './bulwark-common.mjs';
import { makeConfig } from './config.mjs';

const [framework, roundsArg, countArg, ...names] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const count = Number(countArg ?? 5_000);
const config = await makeConfig();

const ALG_NONE = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
  JSON.stringify({ sub: 'user-1', iss: config.server.issuer, aud: config.server.audience }),
).toString('base64url')}.`;

/** Request line and headers of each mode. */
function requestOf(mode) {
  const headers = { ...config.headers };
  let line = 'GET /json';
  if (mode === 'malformed') headers.authorization = 'Bearer not.a-valid.token';
  if (mode === 'algnone') headers.authorization = `Bearer ${ALG_NONE}`;
  if (mode === 'cors') {
    line = 'OPTIONS /json';
    headers.origin = 'https://evil.example';
    headers['access-control-request-method'] = 'GET';
  }
  return { method: line.split(' ')[0], path: '/json', headers };
}

// The e2e apps resolve to a port; the node server they listened with is the last one started here.
let lastServer;
const netListen = Server.prototype.listen;
Server.prototype.listen = function listen(...args) {
  lastServer = this;
  return netListen.apply(this, args);
};

/** The headers bulwark-nojwt's 200 carries besides the framework's own, as constants (inproc.mjs's list). */
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

/** The floor of a refusal: a bare route whose first middleware sets the same headers as constants. */
async function staticHeadersServer(c) {
  const pairs = staticHeaders(c);
  const middleware = (_req, res, next) => {
    for (const [k, v] of pairs) res.setHeader(k, v);
    next();
  };
  if (framework === 'express') {
    const { default: express } = await import('express');
    const app = express();
    app.disable('x-powered-by');
    app.use(middleware);
    app.get('/json', (_req, res) => {
      res.json({ hello: 'world' });
    });
    await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
    return lastServer;
  }
  if (framework === 'nestjs' || framework === 'nestjs-fastify') {
    const { createApp } = await import('./apps/nestjs.mjs');
    const app = await createApp(framework === 'nestjs' ? 'express' : 'fastify', 'bare', c);
    app.use(middleware);
    await app.listen(0, '127.0.0.1');
    return app.getHttpServer();
  }
  const { createServer } = await import('node:http');
  const { toNodeListener } = await import('@bulwark/fetch/node');
  const server = createServer(toNodeListener(await staticHeadersHandler(c)));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** fetch: the bare handler's Response with the same headers as constants. */
async function staticHeadersHandler(c) {
  const BODY = JSON.stringify({ hello: 'world' });
  const pairs = [['content-type', 'application/json; charset=utf-8'], ...staticHeaders(c)];
  return async () => new Response(BODY, { headers: pairs });
}

async function nodeServer(variant, c) {
  if (variant === 'static-headers') return staticHeadersServer(c);
  const apps = { express: 'express', nestjs: 'nestjs', 'nestjs-fastify': 'nestjs-fastify', fetch: 'fetch' };
  const { listen } = await import(`./apps/${apps[framework]}.mjs`);
  await listen(variant, c);
  return lastServer;
}

/** fetch handlers as apps/fetch.mjs builds them, called directly (no node bridge). */
async function fetchHandler(variant, c) {
  const BODY = JSON.stringify({ hello: 'world' });
  const handler = () =>
    new Response(BODY, { headers: { 'content-type': 'application/json; charset=utf-8' } });
  if (variant === 'bare') return async (request) => handler(request);
  if (variant === 'static-headers') return staticHeadersHandler(c);
  const bulwark = await import('@bulwark/fetch');
  const policy = { rateLimit: { rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } } };
  if (variant !== 'bulwark-nojwt') policy.jwt = jwtOptions(c, variant);
  return bulwark.securityHeaders(bulwark.cors(bulwark.protect(handler, policy), { origins: [c.origin] }));
}

/** A Hono app with bulwark's middleware in the e2e order (headers, CORS, per-IP limit, JWT). */
async function honoHandler(variant, c) {
  // hono is not a dependency of bench: its ESM entry as @bulwark/hono resolves it (one module instance).
  const honoDir = fileURLToPath(new URL('../../packages/hono/node_modules/hono/', import.meta.url));
  const { Hono } = await import(pathToFileURL(join(honoDir, 'dist/index.js')).href);
  const app = new Hono();
  if (variant === 'static-headers') {
    const pairs = staticHeaders(c);
    app.use(async (ctx, next) => {
      await next();
      for (const [k, v] of pairs) ctx.res.headers.set(k, v);
    });
  } else if (variant !== 'bare') {
    const b = await import(new URL('../../packages/hono/dist/index.js', import.meta.url).href);
    app.use(b.securityHeaders());
    app.use(b.cors({ origins: [c.origin] }));
    app.use(b.rateLimit({ rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } }));
    if (variant !== 'bulwark-nojwt') app.use(b.requireJwt(jwtOptions(c, variant)));
  }
  app.get('/json', (ctx) => ctx.json({ hello: 'world' }));
  // What @hono/node-server hands the app as c.env: the node request, whose socket has the peer address.
  const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
  return (request) => app.fetch(request, env);
}

function connect(srv) {
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

/** A node-server case: n requests over its connections, the next written a macrotask after a response. */
function nodeCase(srv, req) {
  const head = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const bytes = Buffer.from(`${req.method} ${req.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${head}\r\n`);
  const conns = Array.from({ length: 10 }, () => connect(srv));
  return {
    status: () => conns[0].status,
    head: () => conns[0].last,
    drive: (n) =>
      new Promise((resolve) => {
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
      }),
  };
}

/** A handler case: 10 requests in flight, each a fresh Request, its response body read whole. */
function fetchCase(handle, req, info) {
  const url = `http://127.0.0.1${req.path}`;
  let last;
  const one = async () => {
    const response = await handle(new Request(url, { method: req.method, headers: req.headers }), info);
    await response.arrayBuffer();
    last = response;
  };
  return {
    status: () => String(last?.status),
    head: () => [...last.headers].map(([k, v]) => `${k}: ${v}`).join('\n'),
    drive: async (n) => {
      let left = n;
      const lane = async () => {
        while (left-- > 0) {
          await one();
          await new Promise(setImmediate);
        }
      };
      await Promise.all(Array.from({ length: 10 }, lane));
    },
  };
}

const cases = [];
for (const name of names) {
  const [variant, mode] = name.split(':');
  const c = { ...config.server, ...(mode === 'limited' ? { limit: 1, windowMs: 3_600_000 } : {}) };
  const req = requestOf(mode);
  let run;
  if (framework === 'fetch-direct')
    run = fetchCase(await fetchHandler(variant, c), req, { remoteAddress: '127.0.0.1' });
  else if (framework === 'hono') run = fetchCase(await honoHandler(variant, c), req);
  else run = nodeCase(await nodeServer(variant, c), req);
  cases.push({ name, run, cpu: [] });
}

for (const c of cases) {
  await c.run.drive(Number(process.env.WARMUP ?? 1000));
  console.log(`${c.name}: HTTP ${c.run.status()}`);
  if (process.env.SHOW_HEAD) console.log(c.run.head());
}
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < cases.length; k++) {
    const c = cases[(r + k) % cases.length];
    globalThis.gc?.();
    const t0 = process.cpuUsage();
    await c.run.drive(count);
    const t = process.cpuUsage(t0);
    c.cpu.push((t.user + t.system) / count);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const c of cases) {
  const ratios = c.cpu.map((x, i) => x / cases[0].cpu[i]);
  console.log(
    `${c.name.padEnd(22)} ${median(c.cpu).toFixed(1)} µs/req, ÷ ${cases[0].name} ${median(ratios).toFixed(2)}× ` +
      `(${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}); rounds ${c.cpu.map((x) => x.toFixed(1)).join(' ')}`,
  );
}
process.exit(0);
