#!/usr/bin/env node
// The runtimes users serve fetch handlers on besides Node: the adapter conformance suites and the runtime
// checks (packages/runtimes) served on Bun, Deno and workerd. The runtimes come from npm, pinned by
// packages/runtimes/tools/package-lock.json and installed once into .tools/runtimes (the vitest
// globalSetup does it); the run itself is offline.
//
//   node scripts/runtimes.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countResults } from './vitest-report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNTIMES = ['bun', 'deno', 'workerd'];

/** The runtime a test ran on, from its name (`fetch on bun: JWT > …`, `workerd: the client address > …`). */
function runtimeOf(name) {
  return RUNTIMES.find((r) => new RegExp(`\\b${r}\\b`).test(name)) ?? 'setup';
}

/**
 * Run packages/runtimes once; per runtime `{ runtime, passed, failed }` (failed counts tests that did not
 * run), plus a `setup` entry when files failed to run at all (an install or bundle error).
 */
export function runRuntimes(log = console.log) {
  const report = join(root, `.vitest-report-runtimes-${process.pid}.json`);
  rmSync(report, { force: true });
  const result = spawnSync(
    'pnpm',
    ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    { cwd: join(root, 'packages', 'runtimes'), stdio: 'inherit' },
  );
  const runs = Object.fromEntries(
    RUNTIMES.map((r) => [r, { runtime: r, passed: 0, failed: 0, failedNames: [] }]),
  );
  if (!existsSync(report)) {
    log('✖ runtimes: vitest wrote no report');
    return [...Object.values(runs), { runtime: 'setup', passed: 0, failed: 1 }];
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  rmSync(report, { force: true });
  const counts = countResults(json);
  for (const file of json.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      const runtime = runtimeOf(t.fullName);
      runs[runtime] ??= { runtime, passed: 0, failed: 0, failedNames: [] };
      const run = runs[runtime];
      if (t.status === 'passed') run.passed++;
      else {
        run.failed++;
        run.failedNames.push(`${file.name} > ${t.fullName} (${t.status})`);
      }
    }
  }
  for (const f of counts.brokenFiles) log(`✖ test file failed to run: ${f}`);
  for (const t of counts.notRun) log(`✖ did not run (${t.status}): ${t.name}`);
  const out = Object.values(runs);
  if (counts.brokenFiles.length > 0 || (result.status !== 0 && out.every((r) => r.failed === 0))) {
    out.push({ runtime: 'setup', passed: 0, failed: Math.max(1, counts.brokenFiles.length) });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = runRuntimes();
  console.log(runs.map((r) => `${r.runtime}: ${r.passed} passed, ${r.failed} failed`).join('; '));
  process.exit(runs.every((r) => r.failed === 0) ? 0 : 1);
}
