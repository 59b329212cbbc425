// Does an e2e server's JIT settle? Native counts of V8's optimizations and deoptimizations per 1000 requests,
// slice by slice after a warm-up, per variant: the server runs with --trace-opt --trace-deopt (stdout to a file),
// autocannon (10 connections) sends the case's request. A count, not a time: a loaded machine barely moves it.
// A path that kept deoptimizing would keep the compiler threads busy (CPU off the main thread per request).
//   node bench/e2e/opt-count.mjs <framework> <variant>:<request>…   (request: ok | malformed | algnone)
//   e.g. node bench/e2e/opt-count.mjs fastify bare:ok bare-error:malformed bulwark-nojwt:ok bulwark:malformed
// NODE=<path>: the servers' node. SLICES=<n> slices of SLICE_SECONDS=<s> after a 4 s warm-up (defaults 3 and 3).
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DENY } from './cases.mjs';
import { makeConfig } from './config.mjs';

const [framework, ...specs] = process.argv.slice(2);
const config = await makeConfig();
const REQUESTS = {
  ok: { headers: config.headers },
  malformed: DENY['deny-malformed'].request(config),
  algnone: DENY['deny-alg-none'].request(config),
};
const slices = Number(process.env.SLICES ?? 3);
const seconds = Number(process.env.SLICE_SECONDS ?? 3);

for (const spec of specs) {
  const [variant, kind = 'ok'] = spec.split(':');
  const log = `/tmp/opt-count-${process.pid}-${variant}.log`;
  const child = spawn(
    process.env.NODE ?? process.execPath,
    ['--trace-opt', '--trace-deopt', join(import.meta.dirname, 'server.mjs'), framework, variant],
    {
      env: { ...process.env, BENCH_E2E: JSON.stringify(config.server) },
      stdio: ['pipe', openSync(log, 'w'), 'inherit'],
    },
  );
  try {
    let port;
    while (port === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const line = readFileSync(log, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('{'));
      if (line) port = JSON.parse(line).port;
    }
    const count = () => {
      const text = readFileSync(log, 'utf8');
      return {
        opt: (text.match(/completed (optimizing|compiling)/g) ?? []).length,
        deopt: (text.match(/bailout \(kind: deopt/g) ?? []).length,
      };
    };
    const load = (duration) => {
      const expect = kind === 'ok' ? '2xx' : '4xx';
      const spec = {
        url: `http://127.0.0.1:${port}/json`,
        connections: 10,
        duration,
        expect,
        ...REQUESTS[kind],
      };
      const out = execFileSync(
        process.execPath,
        [join(import.meta.dirname, 'load.mjs'), JSON.stringify(spec)],
        {
          encoding: 'utf8',
        },
      );
      return JSON.parse(out);
    };
    load(4);
    const before = count();
    const rows = [];
    for (let i = 0; i < slices; i++) {
      const a = count();
      const r = load(seconds);
      const b = count();
      rows.push(
        `${(((b.opt - a.opt) * 1000) / r.total).toFixed(2)} opt, ${(((b.deopt - a.deopt) * 1000) / r.total).toFixed(2)} deopt /1k req (${r.total} req)`,
      );
    }
    console.log(
      `${framework} ${spec}: ${before.opt} optimizations, ${before.deopt} deoptimizations by the end of the warm-up; then ${rows.join('; ')}`,
    );
  } finally {
    child.kill();
    rmSync(log, { force: true });
  }
}
