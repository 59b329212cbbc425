// End to end on loopback: each server variant in its own process, autocannon in another, A/B-alternated
// rounds so every variant of a framework sees the same drift. Contract: see bench/README.md.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
/** Subject first: the report shows bulwark ÷ each other variant per round. */
const PLAN = {
  fastify: ['bulwark', 'peer', 'bare', 'bulwark-nojwt', 'bulwark-cached'],
  express: ['bulwark', 'peer', 'bare'],
  // bulwark-nojwt: the stack's headers, CORS and limiter on an allowed request, the floor of a refusal.
  nestjs: ['bulwark', 'peer', 'bare', 'bulwark-nojwt'],
  'nestjs-fastify': ['bulwark', 'peer', 'bare', 'bulwark-nojwt'],
  fetch: ['bulwark', 'bare'],
};
const LABEL = {
  bulwark: 'bulwark full stack',
  'bulwark-nojwt': 'bulwark without JWT',
  'bulwark-cached': 'bulwark full stack, token cache on',
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
function cpuMs(pid) {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/**
 * Start a server, retrying twice: in a shared checkout another build may be rewriting dist/ at the moment
 * the server imports it (ERR_MODULE_NOT_FOUND), which is not what this benchmark is about.
 */
async function startServer(framework, variant, config) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(framework, variant, config);
    } catch (err) {
      if (attempt === 3) throw err;
      console.log(`  ${framework}/${variant}: ${err.message}; retrying in 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

function startServerOnce(framework, variant, config) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'server.mjs'), framework, variant], {
      env: { ...process.env, BENCH_E2E: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${framework}/${variant} did not start in 30 s`));
    }, 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      resolve({ child, ...JSON.parse(out.slice(0, nl)) });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${framework}/${variant} exited with ${code} before listening`));
    });
  });
}

function stopServer(server) {
  server.child.removeAllListeners('exit');
  server.child.stdin.end();
  server.child.kill('SIGTERM');
}

function load(url, headers, duration, expect = '2xx') {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, 'load.mjs'), JSON.stringify({ url, connections: CONNECTIONS, duration, headers, expect })],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
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

/** One request before timing: the variant must answer 200 with the JSON body (token accepted, CORS allowed). */
async function check(framework, variant, server, headers) {
  const res = await fetch(`http://127.0.0.1:${server.port}/json`, { headers });
  const body = await res.text();
  if (res.status !== 200 || JSON.parse(body).hello !== 'world') {
    throw new Error(`${framework}/${variant}: expected 200 JSON, got ${res.status} ${body.slice(0, 200)}`);
  }
  const expectCors = variant === 'peer' || server.included.includes('cors');
  if (expectCors && res.headers.get('access-control-allow-origin') !== headers.origin) {
    throw new Error(`${framework}/${variant}: CORS header missing`);
  }
  const expectHeaders = variant === 'peer' || server.included.includes('headers');
  if (expectHeaders && !res.headers.get('x-content-type-options')) {
    throw new Error(`${framework}/${variant}: security headers missing`);
  }
}

/** Deny-path cases: the same bulwark server (or one whose limit is already spent) answering 401 / 429. */
const DENY = {
  'deny-malformed': {
    server: 'bulwark',
    label: 'deny: malformed bearer token (401)',
    group: 'malformed token',
  },
  'deny-limited': {
    server: 'bulwark-limited',
    label: 'deny: over the rate limit (429)',
    group: 'over the rate limit',
  },
};

async function checkDeny(framework, key, server, headers) {
  const want = key === 'deny-malformed' ? 401 : 429;
  // The limited server allows its first request (limit 1 per hour), then denies.
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${server.port}/json`, { headers });
    await res.arrayBuffer();
    if (res.status === want) return;
  }
  throw new Error(`${framework}/${key}: expected ${want}`);
}

export async function run({ smoke }) {
  const rounds = smoke ? 1 : Number(process.env.BENCH_E2E_ROUNDS ?? 5);
  const duration = smoke ? 1 : Number(process.env.BENCH_E2E_SECONDS ?? 4);
  const warmup = smoke ? 0 : 2;
  const only = process.env.BENCH_E2E_ONLY?.split(',');
  const config = await makeConfig();
  const malformed = { ...config.headers, authorization: 'Bearer not.a-valid.token' };
  const rows = [];
  const notes = [
    `${CONNECTIONS} connections, ${duration} s per slice, ${rounds} round(s) with the order of the cases rotated` +
      ` each round, ${warmup} s warm-up per case; every request carries an RS256 bearer token and an Origin.` +
      ' Each server variant is its own process, and autocannon runs in another, all on 127.0.0.1.',
    'Deny groups: the deny case is timed in the same rounds as the allowed request to the same bulwark stack;' +
      ' "over the rate limit" uses a server whose limit (1 per hour) is spent, so every request gets 429.',
  ];
  const missingAll = new Set();
  for (const [framework, planned] of Object.entries(PLAN)) {
    if (only && !only.includes(framework)) continue;
    const variants = [...planned];
    const servers = {};
    try {
      // Start every server at once (startup dominates a smoke run), then check and warm each case in turn.
      const wanted = [...variants];
      const withDeny = !smoke || framework === 'fastify';
      if (withDeny) wanted.push('bulwark-limited');
      const started = await Promise.allSettled(wanted.map((v) => startServer(framework, v, config.server)));
      wanted.forEach((v, i) => {
        if (started[i].status === 'fulfilled') servers[v] = started[i].value;
      });
      const failedStart = started.find((s) => s.status === 'rejected');
      if (failedStart) throw failedStart.reason;
      for (const v of [...variants]) {
        if (v === 'bulwark-cached' && !servers[v].included.includes('jwt-cache')) {
          // This build has no verified-token cache: the variant would only repeat 'bulwark'.
          stopServer(servers[v]);
          delete servers[v];
          variants.splice(variants.indexOf(v), 1);
          missingAll.add('jwt-cache');
          continue;
        }
        for (const m of servers[v].missing) if (m !== 'jwt-cache') missingAll.add(m);
        await check(framework, v, servers[v], config.headers);
      }
      const cases = variants.map((v) => ({
        key: v,
        server: servers[v],
        headers: config.headers,
        expect: '2xx',
      }));
      if (withDeny && servers.bulwark.included.includes('jwt')) {
        cases.push({ key: 'deny-malformed', server: servers.bulwark, headers: malformed, expect: '4xx' });
      }
      if (withDeny && servers['bulwark-limited'].included.includes('ratelimit')) {
        cases.push({
          key: 'deny-limited',
          server: servers['bulwark-limited'],
          headers: config.headers,
          expect: '4xx',
        });
      }
      for (const c of cases) {
        if (c.expect === '4xx') await checkDeny(framework, c.key, c.server, c.headers);
        if (warmup) await load(`http://127.0.0.1:${c.server.port}/json`, c.headers, warmup, c.expect);
      }
      const samples = Object.fromEntries(cases.map((c) => [c.key, { rps: [], p50: [], p99: [], cpu: [] }]));
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < cases.length; k++) {
          const c = cases[(r + k) % cases.length];
          const cpu0 = cpuMs(c.server.child.pid);
          const res = await load(`http://127.0.0.1:${c.server.port}/json`, c.headers, duration, c.expect);
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
      const group = GROUP[framework] ?? framework;
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
      for (const v of variants) {
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
  if (missingAll.size) {
    notes.push(
      `Not yet in bulwark when this ran, so absent from "bulwark full stack": ${[...missingAll].join(', ')}.`,
    );
  }
  return { rows, notes };
}
