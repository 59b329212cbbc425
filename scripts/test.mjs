#!/usr/bin/env node
// `pnpm test`: everything CI checks, in order. Build, typecheck, lint, publint + attw on every published
// package, the whole vitest suite (unit, property, conformance, real Redis / IdP / browser / TLS),
// the attack tour against every adapter, the benchmark smoke run; then a subset on Node 22, 24 and 26
// (scripts/node-matrix.mjs), the adapter suites on Bun, Deno and workerd (scripts/runtimes.mjs) and the
// packed tarballs installed with npm outside the workspace, run in
// ESM and CommonJS on every one of those Nodes (scripts/tarballs). Ends with "N passed, N failed (per
// Node and suite)".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runNodeMatrix } from './node-matrix.mjs';
import { runRuntimes } from './runtimes.mjs';
import { runTarballSuite } from './tarballs/run.mjs';
import { countByFile, countResults } from './vitest-report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const report = `${root}/.vitest-report.json`;

/** `express 4.21.2: 83 passed, 0 failed, …` for packages/compat's test files (see its package.json). */
function olderMajors(byFile) {
  const installed = (name) =>
    JSON.parse(readFileSync(`${root}/packages/compat/node_modules/${name}/package.json`, 'utf8')).version;
  const subjects = { express4: 'express', nestjs11: '@nestjs/core', ioredis6: 'ioredis' };
  return Object.entries(byFile)
    .map(([file, c]) => {
      const name = subjects[file];
      const label = name ? `${name.replace('@nestjs/core', 'NestJS')} ${installed(name)}` : file;
      return `${label} ${c.passed} passed, ${c.failed} failed`;
    })
    .join(', ');
}

/** Runs one step; true when it passed. Without it nothing after can run, so a failed setup step ends here. */
function step(title, command, args, env = {}) {
  console.log(`\n▶ ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status === 0) return true;
  console.error(`\n✖ ${title} failed (exit ${result.status ?? result.signal})`);
  return false;
}
const setup = (title, command, args) => step(title, command, args) || process.exit(1);

/** The steps after the tests: a failure is counted and named in the summary, and the rest still run. */
const stepFailures = [];
function checkedStep(title, command, args, env) {
  if (!step(title, command, args, env)) stepFailures.push(title);
}

setup('services', 'bash', ['scripts/ensure-services.sh']);
setup('lint', 'pnpm', ['exec', 'biome', 'check', '.']);
setup('build, typecheck, publint + attw', 'pnpm', [
  'exec',
  'turbo',
  'run',
  'build',
  'typecheck',
  'check:package',
  '--output-logs=errors-only',
]);
setup('API report (api/*.api.md matches the built declarations)', 'node', [
  'scripts/api-report.mjs',
  '--check',
]);

rmSync(report, { force: true });
console.log('\n▶ tests: vitest run');
const tests = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
  {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  },
);
let passed = 0;
let failed = 0;
let breakdown = '';
let majors = '';
/** Failed tests (full suite, node matrix, runtimes), repeated at the very end so that a CI log's tail names them. */
let failedNames = [];
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const counts = countResults(json);
  majors = olderMajors(countByFile(json, '/packages/compat/test/'));
  passed = counts.passed;
  failed = counts.failed + counts.notRun.length + counts.brokenFiles.length + (counts.total === 0 ? 1 : 0);
  breakdown = ` (${counts.failed} failed, ${counts.notRun.length} did not run: skipped/pending/todo, ${counts.brokenFiles.length} test files failed to run)`;
  // A test that did not run proves nothing: a suite whose beforeAll threw reports its tests as skipped,
  // and a file that failed to import reports none at all. Both are failures, named here.
  for (const f of counts.brokenFiles) console.error(`✖ test file failed to run: ${f}`);
  failedNames = [...counts.failedNames, ...counts.brokenFiles.map((f) => `file failed to run: ${f}`)];
  for (const t of counts.notRun.slice(0, 50)) console.error(`✖ did not run (${t.status}): ${t.name}`);
  if (counts.notRun.length > 50) console.error(`✖ … and ${counts.notRun.length - 50} more that did not run`);
  rmSync(report, { force: true });
}
if (tests.status !== 0 && failed === 0) failed = 1;

if (failed === 0) {
  checkedStep('attack tour (every adapter)', 'node', ['examples/demo/tour.mjs', '--all']);
  // The same tour with every store on Redis (REDIS_URL switches the examples with no code change).
  checkedStep(
    'attack tour on Redis stores (express, fastify)',
    'node',
    ['examples/demo/tour.mjs', '--adapter', 'express', '--adapter', 'fastify'],
    {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    },
  );
  if (existsSync(`${root}/bench/run.mjs`))
    checkedStep('benchmark smoke run', 'node', ['bench/run.mjs', '--smoke', '--no-build']);
}
const parts = [
  `full suite on node ${process.version}: ${passed} passed, ${failed} failed${failed === 0 ? '' : breakdown}`,
];
if (stepFailures.length > 0) {
  failed += stepFailures.length;
  parts.push(`failed steps: ${stepFailures.join(', ')}`);
}
// Part of the full suite above, named here: the suites run again on the other majors users run.
if (majors) parts.push(`of which on older majors: ${majors}`);
// The Node versions users run: core, the express and fastify conformance suites on each newer major.
console.log(
  '\n▶ node matrix: core + express, fastify conformance on each newer major (scripts/node-matrix.mjs)',
);
const matrix = runNodeMatrix();
for (const run of matrix) {
  passed += run.passed;
  failed += run.failed;
  for (const name of run.failedNames ?? []) failedNames.push(`node ${run.version}: ${name}`);
  parts.push(
    `core + express, fastify conformance on node ${run.version}: ${run.passed} passed, ${run.failed} failed${run.detail ? ` (${run.detail})` : ''}`,
  );
}
// The other runtimes users serve fetch handlers on: the adapter suites on Bun, Deno and workerd.
console.log('\n▶ runtimes: adapter suites and runtime checks on Bun, Deno, workerd (scripts/runtimes.mjs)');
for (const run of runRuntimes()) {
  passed += run.passed;
  failed += run.failed;
  for (const name of run.failedNames ?? []) failedNames.push(`${run.runtime}: ${name}`);
  parts.push(`on ${run.runtime}: ${run.passed} passed, ${run.failed} failed`);
}
// The packages as users get them: packed, installed with npm outside the workspace, run in ESM and CJS
// on this Node and on every major of the matrix.
console.log('\n▶ tarballs: pack, npm install in a fresh project, smoke apps (scripts/tarballs/run.mjs)');
const nodes = [process.execPath, ...matrix.flatMap((run) => (run.bin ? [run.bin] : []))];
try {
  for (const run of await runTarballSuite(nodes)) {
    passed += run.passed;
    failed += run.failed;
    parts.push(`tarballs on node ${run.version}: ${run.passed} passed, ${run.failed} failed`);
  }
} catch (error) {
  console.error(`✖ tarballs: ${error.message}`);
  failed += 1;
  parts.push('tarballs: setup failed');
}
if (failedNames.length > 0) {
  console.log('\nfailed tests (full suite, node matrix, runtimes):');
  for (const name of failedNames.slice(0, 30)) console.log(`  ✖ ${name}`);
}
console.log(`\ntests: ${passed} passed, ${failed} failed (${parts.join('; ')})`);
process.exit(failed === 0 ? 0 : 1);
