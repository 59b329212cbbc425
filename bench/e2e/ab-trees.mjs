// The same e2e server from two checkouts (each built), side by side in one run: slices alternated between
// them, order reversed every slice, server CPU per request from /proc as bench/e2e.mjs reads it. Two separate
// `bench/run.mjs e2e` runs are not comparable case by case: on this 2-core machine a bare route's cost moved by
// up to 40% between quiet runs (fastify on Node 24: 32 → 20 µs), so "÷ bare" moves with it. This answers
// "did this change make that request cheaper?" with both servers under the same conditions.
//   node bench/e2e/ab-trees.mjs <framework> <variant> <request> <slices> <checkout A> <checkout B>
//   request: ok | malformed | algnone | webhook; variant: bulwark, bulwark-nojwt, bulwark-limited, bare, …
//   e.g. node bench/e2e/ab-trees.mjs fastify bulwark webhook 7 /work/wt/base /work/wt/mine
// The first slice of each server is warm-up and not reported. Servers run with this process's node.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { cpuMs } from '../e2e.mjs';
import { makeConfig, WEBHOOK_REQUEST } from './config.mjs';

const [framework, variant, kind, slices, ...checkouts] = process.argv.slice(2);
if (checkouts.length !== 2)
  throw new Error('usage: ab-trees.mjs <framework> <variant> <request> <slices> <A> <B>');
const config = await makeConfig();
const bearer = (token) => ({
  path: '/json',
  headers: { ...config.headers, authorization: `Bearer ${token}` },
});
const REQUESTS = {
  ok: { path: '/json', headers: config.headers },
  malformed: bearer(config.tokens.malformed),
  algnone: bearer(config.tokens.algNone),
  webhook: WEBHOOK_REQUEST,
};
if (!(kind in REQUESTS)) throw new Error(`request: one of ${Object.keys(REQUESTS).join(', ')}`);
const { path, ...request } = REQUESTS[kind];
const expect = kind === 'ok' && variant !== 'bulwark-limited' ? '2xx' : '4xx';

async function start(checkout) {
  const child = spawn(process.execPath, [join(checkout, 'bench/e2e/server.mjs'), framework, variant], {
    env: { ...process.env, BENCH_E2E: JSON.stringify(config.server) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${checkout}: server exited with ${code}`)));
    child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port));
  });
  return { checkout, child, port, cpu: [] };
}

const servers = [await start(checkouts[0]), await start(checkouts[1])];
try {
  for (let i = 0; i < Number(slices); i++) {
    for (const s of i % 2 ? [...servers].reverse() : servers) {
      const spec = {
        url: `http://127.0.0.1:${s.port}${path}`,
        connections: 10,
        duration: 2,
        expect,
        ...request,
      };
      const before = cpuMs(s.child.pid);
      const res = JSON.parse(
        execFileSync(process.execPath, [join(import.meta.dirname, 'load.mjs'), JSON.stringify(spec)], {
          encoding: 'utf8',
        }),
      );
      const after = cpuMs(s.child.pid);
      // The warm-up slice may hold the one request a limit of 1 lets through (bulwark-limited).
      if ((i > 0 && res.unexpected > 0) || res.ok === 0)
        throw new Error(`${s.checkout}: ${res.unexpected} unexpected answers (want ${expect})`);
      if (i > 0) s.cpu.push(((after - before) * 1000) / res.total);
    }
  }
} finally {
  for (const s of servers) s.child.kill();
}
const med = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
for (const s of servers)
  console.log(
    s.checkout.padEnd(30),
    'µs/req',
    med(s.cpu).toFixed(1),
    '|',
    s.cpu.map((x) => x.toFixed(0)).join(' '),
  );
const r = servers[1].cpu.map((x, i) => x / servers[0].cpu[i]);
console.log('B ÷ A per slice', r.map((x) => x.toFixed(2)).join(' '), '| median', med(r).toFixed(2));
