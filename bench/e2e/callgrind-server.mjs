// Instructions per request of a whole e2e server over real loopback sockets (libuv, llhttp, writev and the app,
// every thread), counted by callgrind for a window of requests only: the server runs under valgrind with
// instrumentation off (--instr-atstart=no: startup and warm-up run faster), a warm-up is sent, instrumentation
// is switched on and the counters zeroed (callgrind_control), `count` requests are sent, and the counters are
// dumped. Unlike wall-clock or /proc CPU, the count does not move with other load on the machine.
//   node bench/e2e/callgrind-server.mjs <framework> <variant> <request> <count> [<warm-up>]
//   request: ok | malformed | algnone | webhook (as split.mjs); the key is the committed one
//   (BENCH_E2E_FIXED_KEY=1), so two runs send the same bytes. Prints instructions per request.
//   e.g. node bench/e2e/callgrind-server.mjs fastify bulwark malformed 2000
// NODE=<path> runs the server on another node (e.g. Node 24); the client always runs on this process's node.
// SERVER_FLAGS='<node flags>' are passed to the server's node (e.g. --single-threaded).
// KEEP=<file> keeps the window's callgrind dump there (for callgrind_annotate).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DENY } from './cases.mjs';
import { makeConfig, WEBHOOK_REQUEST } from './config.mjs';

process.env.BENCH_E2E_FIXED_KEY = '1';
const [framework, variant, kind, countArg, warmArg] = process.argv.slice(2);
const count = Number(countArg);
const config = await makeConfig();
const REQUESTS = {
  ok: { headers: config.headers },
  malformed: DENY['deny-malformed'].request(config),
  algnone: DENY['deny-alg-none'].request(config),
  webhook: WEBHOOK_REQUEST,
};
const out = `/tmp/callgrind-server-${process.pid}.out`;
const child = spawn(
  'valgrind',
  [
    '--tool=callgrind',
    '--instr-atstart=no',
    `--callgrind-out-file=${out}`,
    process.env.NODE ?? process.execPath,
    ...(process.env.SERVER_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
    join(import.meta.dirname, 'server.mjs'),
    framework,
    variant,
  ],
  { env: { ...process.env, BENCH_E2E: JSON.stringify(config.server) }, stdio: ['pipe', 'pipe', 'ignore'] },
);
try {
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port));
  });
  const { path = '/json', ...request } = REQUESTS[kind];
  const send = async (amount) => {
    const r = await autocannon({
      url: `http://127.0.0.1:${port}${path}`,
      connections: 10,
      amount,
      // Under valgrind a response can take seconds, and autocannon reconnects after a timed-out request.
      timeout: 300,
      ...request,
    });
    return { total: r.requests.total, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors };
  };
  await send(Number(warmArg ?? 2000));
  execFileSync('callgrind_control', ['--instr=on', String(child.pid)], { stdio: 'ignore' });
  execFileSync('callgrind_control', ['--zero', String(child.pid)], { stdio: 'ignore' });
  const r = await send(count);
  execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
  // The dump names the file <out>.<n>; its "summary:" line is the total over every thread of the window.
  const files = execFileSync('sh', ['-c', `ls ${out}*`], { encoding: 'utf8' })
    .trim()
    .split('\n');
  let total = 0;
  for (const f of files.filter((x) => x !== out)) {
    const m = /^summary:\s+(\d+)/m.exec(readFileSync(f, 'utf8'));
    if (m) total += Number(m[1]);
    if (m && process.env.KEEP) copyFileSync(f, process.env.KEEP);
  }
  console.log(
    `${framework} ${variant} ${kind}: ${(total / r.total / 1000).toFixed(1)}k instructions/request ` +
      `(${r.total} requests, ${r.ok} 2xx, ${r.non2xx} other, ${r.errors} errors; ${(total / 1e6).toFixed(0)}M in all)`,
  );
} finally {
  child.kill();
  execFileSync('sh', ['-c', `rm -f ${out}*`]);
  rmSync(out, { force: true });
}
