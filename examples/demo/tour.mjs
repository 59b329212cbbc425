#!/usr/bin/env node
// The attack tour: start an example API with in-memory defaults, attack it over HTTP, print what bulwark
// answered. `pnpm demo` (express), `pnpm demo --adapter fastify|nestjs|nestjs-fastify|fetch|hono` (repeatable),
// `pnpm demo --all`. With REDIS_URL set, the apps keep their state in Redis instead of memory.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startIdp } from './idp.mjs';
import { call, freePort, row } from './lib.mjs';
import { sections } from './sections/index.mjs';
import { DEMO_WEBHOOK_SECRET } from './sections/webhooks.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
// How long an app may take to print its "listening on" line (only a hang waits this long; an app that
// exits is reported at once). Startup is CPU-bound: measured until that line, express, fastify, fetch and hono
// spend 0.4-0.9 s of CPU, NestJS 1.5-2 s (its module scan and DI container, either platform). On a CI
// machine at load 20-50 a process gets a twentieth of a core or less: NestJS took over the 20 s every app
// had, so NestJS gets 90 s and the others 30 s.
const STARTUP_MS = 30_000;
const NEST_STARTUP_MS = 90_000;
const APPS = {
  express: { entry: 'examples/express-api/src/server.mjs' },
  fastify: { entry: 'examples/fastify-api/src/server.mjs' },
  nestjs: { entry: 'examples/nestjs-api/dist/main.js', startupMs: NEST_STARTUP_MS },
  'nestjs-fastify': {
    entry: 'examples/nestjs-api/dist/main.js',
    env: { NEST_PLATFORM: 'fastify' },
    startupMs: NEST_STARTUP_MS,
  },
  fetch: { entry: 'examples/fetch-api/src/server.mjs' },
  hono: { entry: 'examples/hono-api/src/server.mjs' },
};

function parseArgs(argv) {
  const all = argv.includes('--all');
  if (all) return Object.keys(APPS);
  const chosen = argv.flatMap((arg, i) => (arg === '--adapter' ? [argv[i + 1]] : []));
  for (const name of chosen) {
    if (!APPS[name]) throw new Error(`--adapter must be one of ${Object.keys(APPS).join(', ')}`);
  }
  return chosen.length === 0 ? ['express'] : chosen;
}

/** Start an example as its own process and wait for its "listening on URL" line. */
function startApp(name, env) {
  const app = APPS[name];
  const child = spawn(process.execPath, [app.entry], {
    cwd: root,
    env: { ...process.env, ...env, ...app.env, PORT: env.PORT ?? '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Everything the app writes is kept (the outage row reads its log) and its stderr still shown.
  let log = '';
  child.stderr.on('data', (chunk) => {
    log += chunk;
    process.stderr.write(chunk);
  });
  return new Promise((resolve, reject) => {
    const startupMs = app.startupMs ?? STARTUP_MS;
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${name} did not start within ${startupMs / 1000} s`));
    }, startupMs);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      log += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], log: () => log, stop: () => child.kill('SIGTERM') });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
}

function printTable(title, rows) {
  const widths = [
    Math.max(6, ...rows.map((r) => r.attack.length)),
    Math.max(8, ...rows.map((r) => r.expected.length)),
    Math.max(16, ...rows.map((r) => r.got.length)),
  ];
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i] ?? 4)).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(['attack', 'expected', 'bulwark answered', 'result']));
  console.log(line(widths.map((w) => '-'.repeat(w)).concat('----')));
  for (const r of rows) console.log(line([r.attack, r.expected, r.got, r.pass ? 'pass' : 'FAIL']));
}

/**
 * The API starts while its identity provider is down: tokens are refused with 503 (never accepted), and
 * the outage is in the app's own log although the app configures no event sink or logger for bulwark.
 */
async function jwksOutage(name, env) {
  const down = await startIdp();
  down.setDown(true);
  const app = await startApp(name, { ...env, ISSUER: down.issuer, JWKS_URI: down.jwksUri });
  try {
    const token = await down.mint();
    const res = await call(app.url, '/orders', { headers: { authorization: `Bearer ${token}` } });
    const rows = [row('genuine token while the JWKS answers 503', '503 JWT_KEYS_UNAVAILABLE', res, token)];
    const until = Date.now() + 5_000;
    while (!app.log().includes('jwt.jwks_unreachable') && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const logged = app.log().includes('jwt.jwks_unreachable');
    rows.push({
      attack: "the outage in the app's log, nothing configured",
      expected: 'jwt.jwks_unreachable logged',
      got: logged ? 'jwt.jwks_unreachable logged' : 'nothing logged',
      pass: logged,
    });
    return rows;
  } finally {
    app.stop();
    await down.close();
  }
}

const idp = await startIdp();
let failures = 0;
let total = 0;
try {
  for (const name of parseArgs(process.argv.slice(2))) {
    const env = {
      WEBHOOK_SECRET: DEMO_WEBHOOK_SECRET,
      ISSUER: idp.issuer,
      AUDIENCE: idp.audience,
      JWKS_URI: idp.jwksUri,
      // With REDIS_URL the app keeps its state in Redis; a fresh prefix per run keeps runs independent.
      ...(process.env.REDIS_URL ? { REDIS_PREFIX: `tour-${crypto.randomUUID()}` } : {}),
    };
    const app = await startApp(name, { ...env, PORT: await freePort() });
    const backend = process.env.REDIS_URL ? 'Redis stores' : 'memory stores';
    console.log(`\n=== bulwark attack tour: ${name} API at ${app.url} (${backend}) ===`);
    try {
      for (const section of sections) {
        const rows = await section.run({ base: app.url, idp, adapter: name });
        printTable(section.title, rows);
        total += rows.length;
        failures += rows.filter((r) => !r.pass).length;
      }
    } finally {
      app.stop();
    }
    const rows = await jwksOutage(name, env);
    printTable('JWKS outage: the identity provider is down when the API starts', rows);
    total += rows.length;
    failures += rows.filter((r) => !r.pass).length;
  }
} finally {
  await idp.close();
}
console.log(`\n${total - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
