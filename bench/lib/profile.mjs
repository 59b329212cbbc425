// CPU profile of one e2e server under load: `node bench/lib/profile.mjs <framework> <variant> [seconds]`.
// Runs the server with --cpu-prof, drives it with autocannon from another process, then prints where
// the server's CPU time went: top functions by self time, and self time per package.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const [framework = 'fastify', variant = 'bulwark', seconds = '8'] = process.argv.slice(2);
const dir = join(root, '.bench-tmp', 'prof', `${framework}-${variant}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const { makeConfig } = await import('../e2e/config.mjs');
const config = await makeConfig();
// PROFILE_TOKEN=malformed profiles the 401 path instead of the allowed request.
if (process.env.PROFILE_TOKEN === 'malformed') config.headers.authorization = 'Bearer not.a-valid.token';
const server = spawn(
  process.execPath,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(here, '..', 'e2e', 'server.mjs'), framework, variant],
  { env: { ...process.env, BENCH_E2E: JSON.stringify(config.server) }, stdio: ['pipe', 'pipe', 'inherit'] },
);
const { port } = await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
  });
});
const load = spawn(
  process.execPath,
  [
    join(here, '..', 'e2e', 'load.mjs'),
    JSON.stringify({
      url: `http://127.0.0.1:${port}/json`,
      connections: 10,
      duration: Number(seconds),
      headers: config.headers,
    }),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let loadOut = '';
load.stdout.on('data', (d) => {
  loadOut += d;
});
await new Promise((resolve) => load.on('exit', resolve));
console.log(`load: ${loadOut.trim()}`);
server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
}
const sampled = [...self.values()].reduce((a, b) => a + b, 0);
// Percentages are of busy time: idle is the server waiting for the load generator or the kernel.
let idle = 0;
for (const [id, t] of self) if (byId.get(id).callFrame.functionName === '(idle)') idle += t;
const total = sampled - idle;
const place = (url) => {
  if (!url) return '(native/VM)';
  if (url.startsWith('node:')) return url.replace('node:internal/', 'node:');
  const m = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  const b = url.match(/packages\/([^/]+)\/dist/);
  if (b) return `@bulwark/${b[1]}`;
  return url.replace(`file://${root}/`, '');
};
const fns = new Map();
const pkgs = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${place(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  fns.set(key, (fns.get(key) ?? 0) + t);
  const p = ['(idle)', '(program)', '(garbage collector)'].includes(cf.functionName)
    ? cf.functionName
    : place(cf.url);
  pkgs.set(p, (pkgs.get(p) ?? 0) + t);
}
const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(
  `\nself time by package, % of busy time (${framework}/${variant}, ${(sampled / 1e6).toFixed(1)} s sampled, ${((100 * idle) / sampled).toFixed(0)}% idle):`,
);
for (const [k, t] of [...pkgs]
  .filter(([k]) => k !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, 15))
  console.log(`${pct(t)}  ${k}`);
console.log('\ntop functions by self time:');
for (const [k, t] of [...fns]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, 25))
  console.log(`${pct(t)}  ${k}`);
console.log(`\nprofile: ${join(dir, file)} (open in Chrome DevTools → Performance)`);
