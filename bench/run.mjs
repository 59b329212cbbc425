// `pnpm bench [names…] [--smoke] [--no-build] [--list]`: build, run each benchmark in its own process,
// write docs/benchmarks.md (or .bench-tmp/benchmarks.md for --smoke).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReport } from './lib/report.mjs';
import { evaluateTargets } from './lib/targets.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const build = !argv.includes('--no-build');
const wanted = argv.filter((a) => !a.startsWith('--'));

// Scripts run on their own, not as groups of this runner: observability.mjs A/B-tests whole servers with
// and without OpenTelemetry for minutes (`node bench/observability.mjs <rounds> <seconds>`).
const STANDALONE = new Set(['run.mjs', 'observability.mjs']);
const all = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !STANDALONE.has(f))
  .map((f) => f.slice(0, -4))
  .sort();
if (argv.includes('--list')) {
  console.log(all.join('\n'));
  process.exit(0);
}
const unknown = wanted.filter((n) => !all.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(2);
}
// --report-only: rewrite the report from the stored results (after editing bench/notes.md), run nothing.
const reportOnly = argv.includes('--report-only');
const selected = reportOnly ? [] : wanted.length ? wanted : all;

if (build && !reportOnly) {
  console.log('> pnpm build (turbo; pass --no-build to skip)');
  const b = spawnSync('pnpm', ['build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('build failed');
    process.exit(1);
  }
}

// Results of the oldest supported Node (package.json engines) are the report's main figures; a run on another
// major (`.tools/node24/node_modules/.bin/node bench/run.mjs …`) keeps its own under results/node<major>/ and
// is reported beside them.
const baseMajor = Number(
  /\d+/.exec(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node)[0],
);
const major = Number(process.versions.node.split('.')[0]);
const resultsBase = smoke ? join(root, '.bench-tmp', 'results') : join(here, 'results');
const resultsDir = major === baseMajor ? resultsBase : join(resultsBase, `node${major}`);
mkdirSync(resultsDir, { recursive: true });
// A benchmark writes here first; only a complete result replaces the last one in resultsDir.
const scratch = join(root, '.bench-tmp', 'partial');
mkdirSync(scratch, { recursive: true });
const loadavg = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' / ');
// Bound every benchmark: a hung server or a runaway loop must not hang CI. A full e2e run is ~50 cases of
// (5 rounds × 4 s + 2 s warm-up) over five frameworks, ~19 min before startup, so it gets longer.
const limitMs = (name) => (smoke ? 150 : name === 'e2e' ? 45 * 60 : 20 * 60) * 1000;
const failed = [];
const t0 = Date.now();
for (const name of selected) {
  const out = join(resultsDir, `${name}.json`);
  const partial = join(scratch, `${name}.json`);
  rmSync(partial, { force: true });
  const started = Date.now();
  console.log(`> ${name}${smoke ? ' (smoke)' : ''}`);
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      join(here, 'lib', 'child.mjs'),
      join(here, `${name}.mjs`),
      partial,
      ...(smoke ? ['--smoke'] : []),
    ],
    { cwd: root, stdio: 'inherit', timeout: limitMs(name), killSignal: 'SIGKILL' },
  );
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0 || !existsSync(partial)) {
    console.error(`✗ ${name} failed after ${secs} s (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
    failed.push(name);
    continue;
  }
  renameSync(partial, out);
  console.log(`✓ ${name} in ${secs} s`);
}

// The report includes every benchmark that has a result, so `pnpm bench jwt` keeps the others' figures.
const readResults = (dir) => {
  const found = {};
  for (const name of all) {
    const file = join(dir, `${name}.json`);
    if (existsSync(file)) found[name] = JSON.parse(readFileSync(file, 'utf8'));
  }
  return found;
};
const results = readResults(resultsBase);
const otherNodes = existsSync(resultsBase)
  ? readdirSync(resultsBase)
      .filter((d) => /^node\d+$/.test(d))
      .sort()
      .map((d) => ({ node: d.slice(4), results: readResults(join(resultsBase, d)) }))
      .filter((o) => Object.keys(o.results).length > 0)
  : [];
const notesFile = join(here, 'notes.md');
const commentary = existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '';
const report = renderReport({
  root,
  results,
  commentary,
  targets: evaluateTargets(results, otherNodes),
  otherNodes,
  run: {
    date: new Date().toISOString(),
    smoke,
    reportOnly,
    loadavg,
    command: `pnpm bench${argv.length ? ` ${argv.join(' ')}` : ''}`,
  },
});
const reportFile = smoke ? join(root, '.bench-tmp', 'benchmarks.md') : join(root, 'docs', 'benchmarks.md');
writeFileSync(reportFile, report);
console.log(`wrote ${reportFile} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
