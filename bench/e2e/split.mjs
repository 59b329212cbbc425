// Where an e2e request's server CPU goes, beside what bench/e2e.mjs reports: per request, the server's user and
// system (kernel) CPU, its event loop's context switches (voluntary: it waited in epoll for the next request;
// involuntary: it was preempted) and, with STRACE=1, its system calls by name over one extra slice per case.
// Callgrind counts only user-space instructions, and in-process tools have no sockets: this is for the rest.
//   node bench/e2e/split.mjs <framework> <slices> <variant>:<request>…
//   request: ok | malformed | algnone | webhook (as ab-trees.mjs); the first slice of each case is warm-up.
//   e.g. node bench/e2e/split.mjs fastify 5 bare:ok bare-deny:malformed bulwark-nojwt:ok bulwark:malformed
// Slices of 2 s, 10 connections, the cases' order rotated every slice; each variant is one server process.
// RATE=<n>: every case is sent n requests per second (autocannon's overallRate) instead of as many as it
// answers, so each meets the same arrival pattern (how many requests one wake-up of the event loop finds).
// SERVER_FLAGS='<node flags>': passed to the servers' node only (e.g. --single-threaded-gc: V8's GC then runs
// on the main thread, so "other threads" no longer holds its helper threads' work); NODE=<path>: the servers'
// node (the load generator runs on this process's node). GC=1: the servers also run --trace-gc (their stdout
// goes to a file) and each case prints V8's collections per 1000 requests, young-generation (Scavenge, Minor
// Mark-Sweep) and full (Mark-Compact): counts, which move far less with the machine's load than CPU time does.
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DENY } from './cases.mjs';
import { makeConfig, WEBHOOK_REQUEST } from './config.mjs';

const [framework, slices, ...specs] = process.argv.slice(2);
const config = await makeConfig();
const REQUESTS = {
  ok: { path: '/json', headers: config.headers },
  malformed: DENY['deny-malformed'].request(config),
  algnone: DENY['deny-alg-none'].request(config),
  webhook: WEBHOOK_REQUEST,
};
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** utime and stime fields of a /proc stat line, in µs. */
function times(stat) {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]) * TICK_US, Number(f[12]) * TICK_US];
}

/**
 * The process's user and system CPU (µs), the CPU of its threads other than the main one (V8's GC and compiler
 * helpers, libuv's pool), and the context switches of all its threads.
 */
function sample(pid) {
  const [user, sys] = times(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const out = { user, sys, others: 0, vol: 0, invol: 0 };
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const dir = `/proc/${pid}/task/${task}`;
    if (task !== String(pid))
      out.others += times(readFileSync(`${dir}/stat`, 'utf8')).reduce((a, b) => a + b);
    const status = readFileSync(`${dir}/status`, 'utf8');
    out.vol += Number(/\bvoluntary_ctxt_switches:\s+(\d+)/.exec(status)[1]);
    out.invol += Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)[1]);
  }
  return out;
}

const servers = {};
async function start(variant) {
  if (servers[variant]) return servers[variant];
  const flags = process.env.SERVER_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  // With GC=1 the server's stdout (its port line and V8's GC trace) goes to a file: load() blocks this process,
  // and a full pipe would block the server.
  const gcLog = GC ? `/tmp/split-gc-${process.pid}-${variant}.log` : undefined;
  const args = [
    ...flags,
    ...(GC ? ['--trace-gc'] : []),
    join(import.meta.dirname, 'server.mjs'),
    framework,
    variant,
  ];
  const child = spawn(process.env.NODE ?? process.execPath, args, {
    env: { ...process.env, BENCH_E2E: JSON.stringify(config.server) },
    stdio: ['pipe', gcLog ? openSync(gcLog, 'w') : 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${variant}: server exited with ${code}`)));
    if (!gcLog) return child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port));
    const poll = setInterval(() => {
      const line = readFileSync(gcLog, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('{'));
      if (line === undefined) return;
      clearInterval(poll);
      resolve(JSON.parse(line).port);
    }, 100);
  });
  servers[variant] = { child, port, gcLog };
  return servers[variant];
}

const GC = process.env.GC === '1';

/** V8's collections so far in a server's --trace-gc log: young-generation and full. */
function collections(server) {
  const out = { minor: 0, major: 0 };
  if (!server.gcLog) return out;
  for (const line of readFileSync(server.gcLog, 'utf8').split('\n')) {
    if (/ Mark-Compact /.test(line)) out.major++;
    else if (/ (Scavenge|Minor Mark-Sweep) /.test(line)) out.minor++;
  }
  return out;
}

function load(c) {
  const { path, ...request } = REQUESTS[c.kind];
  const spec = { url: `http://127.0.0.1:${c.server.port}${path ?? '/json'}`, connections: 10, duration: 2 };
  Object.assign(spec, request, { expect: c.expect });
  if (process.env.RATE) spec.rate = Number(process.env.RATE);
  const out = execFileSync(process.execPath, [join(import.meta.dirname, 'load.mjs'), JSON.stringify(spec)], {
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

const cases = [];
for (const spec of specs) {
  const [variant, kind = 'ok'] = spec.split(':');
  const deny =
    kind !== 'ok' || variant === 'bulwark-limited' || variant === 'bare-deny' || variant === 'bare-error';
  cases.push({ spec, kind, server: await start(variant), expect: deny ? '4xx' : '2xx', rows: [] });
}
try {
  for (let i = 0; i <= Number(slices); i++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(i + k) % cases.length];
      const a = { ...sample(c.server.child.pid), ...collections(c.server) };
      const res = load(c);
      const b = { ...sample(c.server.child.pid), ...collections(c.server) };
      if ((i > 0 && res.unexpected) || res.ok === 0)
        throw new Error(`${c.spec}: ${res.unexpected} answers not ${c.expect}`);
      const per = (key) => (b[key] - a[key]) / res.total;
      const keys = ['user', 'sys', 'others', 'vol', 'invol', 'minor', 'major'];
      if (i > 0) c.rows.push({ rps: res.rps, ...Object.fromEntries(keys.map((x) => [x, per(x)])) });
    }
  }
  const med = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
  console.log(
    'case'.padEnd(26),
    `req/s  user µs  sys µs  cpu µs  (other threads)  vol cs/req  invol cs/req${GC ? '  young GC/1k req  full GC/1k req' : ''}`,
  );
  for (const c of cases) {
    const m = (k) => med(c.rows.map((r) => r[k]));
    console.log(
      c.spec.padEnd(26),
      m('rps').toFixed(0).padStart(5),
      m('user').toFixed(1).padStart(8),
      m('sys').toFixed(1).padStart(7),
      med(c.rows.map((r) => r.user + r.sys))
        .toFixed(1)
        .padStart(7),
      `(${m('others').toFixed(1)})`.padStart(16),
      m('vol').toFixed(3).padStart(11),
      m('invol').toFixed(3).padStart(13),
      ...(GC
        ? [
            (c.rows.reduce((t, r) => t + r.minor, 0) * (1000 / c.rows.length)).toFixed(2).padStart(16),
            (c.rows.reduce((t, r) => t + r.major, 0) * (1000 / c.rows.length)).toFixed(3).padStart(15),
          ]
        : []),
    );
  }
  if (process.env.STRACE === '1') {
    for (const c of cases) {
      // strace -c over one more slice: system calls per request by name (strace slows the server; counts only).
      const log = `/tmp/split-strace-${process.pid}-${c.spec.replace(/\W/g, '_')}.txt`;
      const tracer = spawn('strace', ['-f', '-c', '-o', log, '-p', String(c.server.child.pid)], {
        stdio: 'ignore',
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const res = load(c);
      tracer.kill('SIGINT');
      await new Promise((resolve) => tracer.once('exit', resolve));
      const calls = readFileSync(log, 'utf8')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f.length >= 5 && /^\d+$/.test(f[3]))
        .map((f) => [f.at(-1), Number(f[3]) / res.total])
        .filter(([name, n]) => name !== 'total' && (n >= 0.01 || name === 'accept4'))
        .sort((x, y) => y[1] - x[1]);
      const text = calls.map(([n, v]) =>
        n === 'accept4' ? `accept4 ${Math.round(v * res.total)} in all` : `${n} ${v.toFixed(2)}`,
      );
      console.log(c.spec.padEnd(26), `${res.total} requests:`, text.join(', '));
    }
  }
} finally {
  for (const s of Object.values(servers)) {
    s.child.kill();
    if (s.gcLog) rmSync(s.gcLog, { force: true });
  }
}
