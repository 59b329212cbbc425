// In-process A/B of the e2e variants of every adapter: what the server's JS and node's http layer cost per
// request, without sockets, the kernel or a load generator sharing the CPU. Node servers (fastify, express,
// nestjs, nestjs-fastify, fetch through @bulwark/fetch/node) are the e2e apps' real http.Servers fed by 10
// in-memory Duplex "connections" (keep-alive, one request in flight each); `fetch-direct` (apps/fetch.mjs's
// handlers) and `hono` call the handler with a WHATWG Request per request and read the whole response body.
// process.cpuUsage() per slice, rounds rotated, per-round ratios to the first case. On a loaded machine the e2e
// harness's server CPU per request also measures cold caches (it grows with the code a request touches); this
// does not. inproc.mjs is this tool for fastify.
// Usage: node --expose-gc bench/e2e/inproc-adapters.mjs <framework> <rounds> <requests per slice> <case>...
//   (WARMUP=<n>: requests per case before timing, default 1000; SHOW_HEAD=1 prints each case's last response)
//   framework: fastify | express | nestjs | nestjs-fastify | fetch | fetch-direct | hono
//   case: bare | static-headers (bare route plus the headers bulwark-nojwt adds, as constants) | bare-deny (the
//     bare app answering every request with bulwark's 401 for a malformed token as constants, sent that
//     request: the floor of answering a refusal) | bare-error (the same bytes through the framework's error
//     pipeline, sent the same request: fastify, express, nestjs, nestjs-fastify) | bare-post (bare app plus a POST /webhook route reading the webhook case's body, timed with
//     that POST: the floor of the webhook refusal) | bulwark | bulwark-nojwt | bulwark-cached, optionally with
//     a refusal mode: :malformed (Bearer not.a-valid.token → 401), :algnone (an `alg: none` token → 401),
//     :limited (limit 1 per hour → 429), :cors (preflight from an origin not listed → 403), :webhook (the
//     GitHub-style POST /webhook with a bad signature → 401)
//   e.g. node --expose-gc bench/e2e/inproc-adapters.mjs nestjs 7 5000 bare bulwark-nojwt bulwark:malformed bulwark:limited
//   A/B of two builds in one process (fetch, fetch-direct, hono): a case suffixed `@<dir>` uses the build in
//   <dir> (absolute; other frameworks' apps ignore it), which holds another build's {core,fetch,hono}/{package.json,dist}, each with a
//   node_modules reaching its own core, e.g. bulwark:malformed bulwark:malformed@/tmp/main-build
//   For nestjs and nestjs-fastify the suffix is relative to packages/nestjs: @bulwark/nestjs is loaded from
//   packages/nestjs/<dir>/index.js (another build's dist copied there resolves @bulwark/core and Nest from the
//   same node_modules; .bench-tmp/ is git-ignored), e.g. bulwark:malformed bulwark:malformed@.bench-tmp/main
//   For express likewise, relative to packages/express (@bulwark/express from packages/express/<dir>/index.js)
import { Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BARE_POST_BODY,
  DENY_BODY,
  denyHeaderPairs,
  jwtOptions,
  staticHeaderPairs,
  WEBHOOK_PATH,
  WEBHOOK_REQUEST,
  webhookOptions,
} from './bulwark-common.mjs';
import { makeConfig } from './config.mjs';
import { connect, driveConnections, rawRequest } from './inmemory.mjs';

const [framework, roundsArg, countArg, ...names] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const count = Number(countArg ?? 5_000);
const config = await makeConfig();

/**
 * Method, path, headers and body of a case: the webhook POST for bare-post and :webhook, the malformed-token GET
 * for bare-deny and bare-error, else a GET /json.
 */
function requestOf(variant, mode) {
  if (variant === 'bare-post' || mode === 'webhook') return WEBHOOK_REQUEST;
  const headers = { ...config.headers };
  if (mode === 'malformed' || variant === 'bare-deny' || variant === 'bare-error')
    headers.authorization = `Bearer ${config.tokens.malformed}`;
  if (mode === 'algnone') headers.authorization = `Bearer ${config.tokens.algNone}`;
  if (mode === 'cors') {
    headers.origin = 'https://evil.example';
    headers['access-control-request-method'] = 'GET';
    return { method: 'OPTIONS', path: '/json', headers };
  }
  return { method: 'GET', path: '/json', headers };
}

// The e2e apps resolve to a port; the node server they listened with is the last one started here.
let lastServer;
const netListen = Server.prototype.listen;
Server.prototype.listen = function listen(...args) {
  lastServer = this;
  return netListen.apply(this, args);
};

/** The e2e app of `variant` (every variant, the floors too), as its own http.Server. */
async function nodeServer(variant, c) {
  const { listen } = await import(`./apps/${framework}.mjs`);
  await listen(variant, c);
  return lastServer;
}

/** A Hono app with bulwark's middleware in the e2e order (headers, CORS, per-IP limit, JWT on /json, webhook). */
async function honoHandler(variant, c) {
  // hono is not a dependency of bench: its ESM entry as @bulwark/hono resolves it (one module instance).
  const honoDir = fileURLToPath(new URL('../../packages/hono/node_modules/hono/', import.meta.url));
  const { Hono } = await import(pathToFileURL(join(honoDir, 'dist/index.js')).href);
  const app = new Hono();
  if (variant === 'static-headers') {
    const pairs = staticHeaderPairs(c);
    app.use(async (ctx, next) => {
      await next();
      for (const [k, v] of pairs) ctx.res.headers.set(k, v);
    });
  } else if (variant === 'bare-deny') {
    const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json'));
    app.use((ctx) => ctx.body(DENY_BODY, 401, headers));
  } else if (variant === 'bare-post') {
    app.post(WEBHOOK_PATH, async (ctx) => {
      await ctx.req.arrayBuffer();
      return ctx.json(BARE_POST_BODY);
    });
  } else if (variant !== 'bare') {
    const b = await import(
      c.build === undefined
        ? new URL('../../packages/hono/dist/index.js', import.meta.url).href
        : pathToFileURL(`${c.build}/hono/dist/index.js`).href
    );
    app.use(b.securityHeaders());
    app.use(b.cors({ origins: [c.origin] }));
    app.use(b.rateLimit({ rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } }));
    // The signed-webhook route behind the same limiter; the JWT rule guards /json only (a sender has no token).
    app.post(WEBHOOK_PATH, b.verifyWebhook(webhookOptions(c)), (ctx) => ctx.body(null, 204));
    if (variant !== 'bulwark-nojwt') app.use('/json', b.requireJwt(jwtOptions(c, variant)));
  }
  app.get('/json', (ctx) => ctx.json({ hello: 'world' }));
  // What @hono/node-server hands the app as c.env: the node request, whose socket has the peer address.
  const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
  return (request) => app.fetch(request, env);
}

/** A node-server case: n requests over 10 in-memory connections, the next written a macrotask after a response. */
function nodeCase(srv, req) {
  const bytes = rawRequest(req);
  const conns = Array.from({ length: 10 }, () => connect(srv));
  return {
    status: () => conns[0].status,
    head: () => conns[0].last,
    drive: (n) => driveConnections(conns, bytes, n),
  };
}

/** A handler case: 10 requests in flight, each a fresh Request, its response body read whole. */
function fetchCase(handle, req, info) {
  const url = `http://127.0.0.1${req.path}`;
  const init = { method: req.method, headers: req.headers, ...(req.body ? { body: req.body } : {}) };
  let last;
  const one = async () => {
    const response = await handle(new Request(url, init), info);
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
  const [spec, alt] = name.split('@');
  const [variant, mode] = spec.split(':');
  const c = { ...config.server, ...(mode === 'limited' ? { limit: 1, windowMs: 3_600_000 } : {}) };
  // The other build reaches the app through its config (listen's third argument is the e2e's server hook).
  if (alt !== undefined && framework.startsWith('nestjs'))
    c.nestjsModule = new URL(`../../packages/nestjs/${alt}/index.js`, import.meta.url).href;
  else if (alt !== undefined && framework === 'express')
    c.expressModule = new URL(`../../packages/express/${alt}/index.js`, import.meta.url).href;
  else if (alt !== undefined) c.build = alt;
  const server = mode === 'limited' ? 'bulwark-limited' : variant;
  const req = requestOf(variant, mode);
  let run;
  if (framework === 'fetch-direct') {
    const { fetchHandlerOf } = await import('./apps/fetch.mjs');
    run = fetchCase(await fetchHandlerOf(server, c), req, { remoteAddress: '127.0.0.1' });
  } else if (framework === 'hono') run = fetchCase(await honoHandler(variant, c), req);
  else run = nodeCase(await nodeServer(server, c), req);
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
