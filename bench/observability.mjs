// Cost of bulwark's OpenTelemetry reporting on the fastify full stack (security headers, CORS, rate limit,
// RS256 JWT), end to end on loopback: the same server with @opentelemetry/api absent, present with no SDK
// (no-op), and with the metrics and trace SDKs recording (each request in a span). Each variant is its own
// process, autocannon another; rounds rotate the order and the report is the median of same-round ratios.
// Usage: node bench/observability.mjs [rounds=5] [seconds=4]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeConfig } from './e2e/config.mjs';

const here = join(dirname(fileURLToPath(import.meta.url)), 'e2e');
const MODES = ['absent', 'noop', 'sdk-absent', 'sdk'];
// Each mode's baseline: the API's presence is compared with its absence, the SDK recording bulwark's
// instruments with the same SDK (and spans) while bulwark cannot see the API.
const BASE = { absent: 'absent', noop: 'absent', 'sdk-absent': 'sdk-absent', sdk: 'sdk-absent' };
const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 4);

function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // CLK_TCK 100
}

function start(mode, config) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'server.mjs'), 'fastify', 'bulwark'], {
      env: { ...process.env, BENCH_E2E: JSON.stringify(config), BENCH_OTEL: mode },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, ...JSON.parse(out.slice(0, out.indexOf('\n'))) });
    });
    child.on('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

function load(port, headers, duration) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(here, 'load.mjs'),
        JSON.stringify({ url: `http://127.0.0.1:${port}/json`, connections: 10, duration, headers }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`)),
    );
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const config = await makeConfig();
// A limit no run reaches: every request is the full allowed path.
config.server.limit = 1_000_000_000;
const servers = {};
for (const mode of MODES) servers[mode] = await start(mode, config.server);
try {
  for (const mode of MODES) {
    const res = await fetch(`http://127.0.0.1:${servers[mode].port}/json`, { headers: config.headers });
    if (res.status !== 200) throw new Error(`${mode}: ${res.status} ${await res.text()}`);
    await load(servers[mode].port, config.headers, 2); // warm-up
  }
  const results = Object.fromEntries(MODES.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]);
    for (const mode of order) {
      const s = servers[mode];
      const before = cpuMs(s.child.pid);
      const out = await load(s.port, config.headers, seconds);
      const cpu = cpuMs(s.child.pid) - before;
      if (out.unexpected > 0 || out.errors > 0)
        throw new Error(`${mode}: ${out.unexpected} non-2xx, ${out.errors} errors`);
      results[mode].push({ rps: out.rps, cpuUsPerReq: (cpu * 1000) / out.total });
    }
  }
  const rows = [];
  for (const mode of MODES) {
    const rps = results[mode].map((x) => x.rps);
    const cpu = results[mode].map((x) => x.cpuUsPerReq);
    const rpsRatio = results[mode].map((x, i) => x.rps / results[BASE[mode]][i].rps);
    const cpuRatio = results[mode].map((x, i) => x.cpuUsPerReq / results[BASE[mode]][i].cpuUsPerReq);
    rows.push({
      mode,
      'req/s (median)': Math.round(median(rps)),
      'CPU µs/req (median)': median(cpu).toFixed(1),
      baseline: BASE[mode],
      'req/s ÷ baseline': median(rpsRatio).toFixed(3),
      'CPU/req ÷ baseline': median(cpuRatio).toFixed(3),
    });
  }
  console.log(`fastify full stack, ${rounds} rounds x ${seconds} s, 10 connections, Node ${process.version}`);
  console.table(rows);
} finally {
  for (const s of Object.values(servers)) {
    s.child.removeAllListeners('exit');
    s.child.stdin.end();
    s.child.kill('SIGTERM');
  }
}
