// End to end on loopback: each server variant in its own process, autocannon in another, A/B-alternated
// rounds so every variant of a framework sees the same drift. Contract: see bench/README.md.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  check,
  checkBareDeny,
  checkDeny,
  REFUSAL_FLOORS,
  CASE_NOTES,
  checkStaticHeaders,
  DENY,
  disallowedSimpleRequest,
  NEEDS,
  variantRequest,
} from './e2e/cases.mjs';
import { makeConfig } from './e2e/config.mjs';

export const title = 'End to end: JSON route on loopback (autocannon)';
export const peers = [
  'autocannon',
  'express',
  'fastify',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
];

const here = join(dirname(fileURLToPath(import.meta.url)), 'e2e');
const CONNECTIONS = 10;
/**
 * Subject first: the report shows bulwark ÷ each other variant per round, and every bulwark variant and deny
 * case ÷ `bare` and ÷ `static-headers` (the floors). `bulwark-nojwt`: the stack's headers, CORS and limiter on
 * an allowed request, what every refusal also runs. `static-headers`: the bare route plus the same response
 * header pairs as constants, the floor of "a response that must carry these headers". `bare-post`: the bare app
 * plus a POST /webhook route that reads the webhook case's body as bytes (the framework's cheapest public way)
 * and answers a small JSON, timed with that POST: the floor of the webhook refusal, which must read the body.
 * `bare-deny`: the bare app answering every request, the cheapest public way, with the bytes of bulwark's 401 for
 * a malformed token (status, headers, problem body as constants), timed with that request: the floor of
 * answering a refusal, which must carry every response's headers and a problem body that a bare 200 does not.
 * `bare-error`: the same bytes, but the refusal handed to the framework's own error pipeline first (fastify's
 * done(error) and error handler, express's next(error) and error middleware, Nest's guard and exception filter),
 * as bulwark's fastify and NestJS denials are: the floor of a refusal the app's hooks and filters see. fetch has
 * no error pipeline.
 */
const PLAN = {
  fastify: [
    'bulwark',
    'peer',
    'bare',
    'static-headers',
    'bare-deny',
    'bare-error',
    'bare-post',
    'bulwark-nojwt',
    'bulwark-cached',
  ],
  express: [
    'bulwark',
    'peer',
    'bare',
    'static-headers',
    'bare-deny',
    'bare-error',
    'bare-post',
    'bulwark-nojwt',
  ],
  nestjs: [
    'bulwark',
    'peer',
    'bare',
    'static-headers',
    'bare-deny',
    'bare-error',
    'bare-post',
    'bulwark-nojwt',
  ],
  'nestjs-fastify': [
    'bulwark',
    'peer',
    'bare',
    'static-headers',
    'bare-deny',
    'bare-error',
    'bare-post',
    'bulwark-nojwt',
  ],
  fetch: ['bulwark', 'bare', 'static-headers', 'bare-deny', 'bare-post', 'bulwark-nojwt'],
};
/** A smoke run times these variants (and every case of fastify); the others are started and checked only. */
const SMOKE_TIMED = ['bulwark', 'bare'];
const LABEL = {
  bulwark: 'bulwark full stack',
  'bulwark-nojwt': 'bulwark without JWT',
  'bulwark-cached': 'bulwark full stack, token cache on',
  'static-headers': "bare + bulwark-nojwt's response headers as constants",
  'bare-deny': "bare app answering bulwark's 401 (malformed token) as constants (timed with that request)",
  'bare-error':
    "bare app refusing through the framework's error pipeline with bulwark's 401 as constants (timed with the malformed-token request)",
  'bare-post': "bare POST route reading the webhook case's body (timed with that POST)",
  peer: 'peer stack',
  bare: 'bare',
};

/** Report group of a framework key: NestJS is measured on both of its platforms. */
const GROUP = { nestjs: 'nestjs (express platform)', 'nestjs-fastify': 'nestjs (fastify platform)' };

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system, all threads) a process has used, in ms, from /proc (Linux); undefined elsewhere.
 * CPU per request is what throughput is on a dedicated core, and unlike req/s it barely moves when other
 * processes compete for the machine, so the report shows both.
 */
export function cpuMs(pid) {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/**
 * Start the servers of `variants` (all in one process when `shared`, else one process each), retrying twice: in
 * a shared checkout another build may be rewriting dist/ at the moment a server imports it
 * (ERR_MODULE_NOT_FOUND), which is not what this benchmark is about. Resolves to { [variant]: server }; on a
 * failure, `into` holds the servers that did start (so the caller can stop them).
 */
async function startServers(framework, variants, config, shared, into) {
  const groups = shared ? [variants] : variants.map((v) => [v]);
  const started = await Promise.allSettled(groups.map((g) => startServer(framework, g, config)));
  for (const s of started) if (s.status === 'fulfilled') Object.assign(into, s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return into;
}

async function startServer(framework, variants, config) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(framework, variants, config);
    } catch (err) {
      if (attempt === 3) throw err;
      console.log(`  ${framework}/${variants}: ${err.message}; retrying in 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

function startServerOnce(framework, variants, config) {
  const name = `${framework}/${variants.join(',')}`;
  // 30 s a process, and 10 s more for each further app it builds (a smoke run's shared process).
  const limitMs = 30_000 + 10_000 * (variants.length - 1);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'server.mjs'), framework, variants.join(',')], {
      env: { ...process.env, BENCH_E2E: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start in ${limitMs / 1000} s`));
    }, limitMs);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      const line = JSON.parse(out.slice(0, nl));
      const each = line.servers ?? { [variants[0]]: line };
      resolve(Object.fromEntries(Object.entries(each).map(([v, s]) => [v, { child, ...s }])));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening`));
    });
  });
}

function stopServer(server) {
  server.child.removeAllListeners('exit');
  server.child.stdin.end();
  server.child.kill('SIGTERM');
}

/** One autocannon slice against `port` with `request` ({ method, path, headers, body }), in its own process. */
function load(port, request, duration, expect = '2xx') {
  const { path = '/json', ...rest } = request;
  const spec = {
    url: `http://127.0.0.1:${port}${path}`,
    connections: CONNECTIONS,
    duration,
    expect,
    ...rest,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'load.mjs'), JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      resolve(JSON.parse(out));
    });
  });
}

export async function run({ smoke }) {
  const rounds = smoke ? 1 : Number(process.env.BENCH_E2E_ROUNDS ?? 5);
  // Smoke slices of 0.5 s: a slice's fixed cost (an autocannon process) is most of what a smoke run times.
  const duration = smoke ? 0.5 : Number(process.env.BENCH_E2E_SECONDS ?? 4);
  const warmup = smoke ? 0 : 2;
  const only = process.env.BENCH_E2E_ONLY?.split(',');
  const config = await makeConfig();
  const rows = [];
  const notes = [
    `${CONNECTIONS} connections, ${duration} s per slice, ${rounds} round(s) with the order of the cases rotated` +
      ` each round, ${warmup} s warm-up per case; every request to /json carries an RS256 bearer token and an` +
      ' Origin. Each server variant is its own process, and autocannon runs in another, all on 127.0.0.1.',
    ...CASE_NOTES,
  ];
  const simple = [];
  const missingAll = new Set();
  for (const [framework, planned] of Object.entries(PLAN)) {
    if (only && !only.includes(framework)) continue;
    const variants = [...planned];
    const servers = {};
    try {
      // A smoke run starts and checks every variant and deny case of every framework, but times only fastify's
      // whole plan and the SMOKE_TIMED variants of the others (it proves the setups, not the figures).
      const timeAll = !smoke || framework === 'fastify';
      // Start every server at once, then check and warm each case in turn. Process startup dominates a smoke
      // run, so there all of a framework's apps share one process (its figures are not meaningful anyway).
      const wanted = [...variants];
      if (timeAll) wanted.push('bulwark-limited');
      await startServers(framework, wanted, config.server, smoke, servers);
      const answered = {};
      for (const v of [...variants]) {
        if (v === 'bulwark-cached' && !servers[v].included.includes('jwt-cache')) {
          // This build has no verified-token cache: the variant would only repeat 'bulwark'.
          if (!smoke) stopServer(servers[v]);
          delete servers[v];
          variants.splice(variants.indexOf(v), 1);
          missingAll.add('jwt-cache');
          continue;
        }
        for (const m of servers[v].missing) if (m !== 'jwt-cache') missingAll.add(m);
        answered[v] = await check(framework, v, servers[v], config.headers);
      }
      checkStaticHeaders(framework, answered);
      for (const floor of REFUSAL_FLOORS) {
        if (servers[floor] && servers.bulwark.included.includes('jwt')) {
          await checkBareDeny(framework, servers[floor], servers.bulwark, config, floor);
        } else if (servers[floor]) variants.splice(variants.indexOf(floor), 1);
      }
      const group = GROUP[framework] ?? framework;
      simple.push(`${group}: ${await disallowedSimpleRequest(servers.bulwark, config)}`);
      const cases = variants
        .filter((v) => timeAll || SMOKE_TIMED.includes(v))
        .map((v) => ({ key: v, server: servers[v], ...variantRequest(v, config) }));
      for (const [key, deny] of Object.entries(DENY)) {
        const server = servers[deny.server];
        if (!server || (NEEDS[key] && !server.included.includes(NEEDS[key]))) continue;
        const request = deny.request(config);
        await checkDeny(framework, key, server, request);
        if (timeAll) cases.push({ key, server, request, expect: '4xx' });
      }
      for (const c of cases) {
        if (warmup) await load(c.server.port, c.request, warmup, c.expect);
      }
      const samples = Object.fromEntries(cases.map((c) => [c.key, { rps: [], p50: [], p99: [], cpu: [] }]));
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < cases.length; k++) {
          const c = cases[(r + k) % cases.length];
          const cpu0 = cpuMs(c.server.child.pid);
          const res = await load(c.server.port, c.request, duration, c.expect);
          const cpu1 = cpuMs(c.server.child.pid);
          if (res.unexpected || res.errors || res.ok === 0) {
            throw new Error(
              `${framework}/${c.key}: ${res.unexpected} responses not ${c.expect}, ${res.errors} errors of ${res.total}`,
            );
          }
          samples[c.key].rps.push(res.rps);
          samples[c.key].p50.push(res.p50);
          samples[c.key].p99.push(res.p99);
          const cpuUs = cpu0 === undefined ? undefined : ((cpu1 - cpu0) * 1000) / res.total;
          if (cpuUs !== undefined) samples[c.key].cpu.push(cpuUs);
          console.log(
            `  ${framework}/${c.key} round ${r + 1}: ${res.rps.toFixed(0)} req/s p50 ${res.p50} p99 ${res.p99}` +
              `${cpuUs === undefined ? '' : ` server CPU ${cpuUs.toFixed(0)} µs/req`}`,
          );
        }
      }
      const row = (key, name, g) => ({
        group: g,
        name,
        variant: key,
        framework,
        unit: 'req/s',
        samples: samples[key].rps,
        extra: {
          'p50 ms': samples[key].p50,
          'p99 ms': samples[key].p99,
          ...(samples[key].cpu.length ? { 'server CPU µs/req': samples[key].cpu } : {}),
        },
      });
      for (const c of cases.filter((x) => !DENY[x.key])) {
        const v = c.key;
        const parts = v.startsWith('bulwark') ? servers[v].included.join(' + ') : undefined;
        rows.push({ ...row(v, LABEL[v], group), ...(parts ? { note: parts } : {}) });
      }
      for (const c of cases.filter((x) => DENY[x.key])) {
        const g = `${group} deny (HTTP): ${DENY[c.key].group} vs allowed request`;
        rows.push(row(c.key, DENY[c.key].label, g), row('bulwark', 'allowed request (valid token)', g));
      }
    } finally {
      for (const s of Object.values(servers)) stopServer(s);
    }
  }
  if (simple.length) {
    notes.push(
      'A simple GET to /json from an origin outside the allowlist (valid token) is answered, per framework: ' +
        `${simple.join('; ')}. Not a refusal (the default CORS policy sends no grant and lets the request reach` +
        ' the route; `rejectDisallowedOrigins: true` would answer 403), so the CORS refusal timed is the preflight.',
    );
  }
  if (missingAll.size) {
    notes.push(
      `Not yet in bulwark when this ran, so absent from "bulwark full stack": ${[...missingAll].join(', ')}.`,
    );
  }
  return { rows, notes };
}
