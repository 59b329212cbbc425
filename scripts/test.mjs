#!/usr/bin/env node
// `pnpm test`: everything CI checks, in order. Build, typecheck, lint, publint + attw on every published
// package, the whole vitest suite (unit, property, conformance, real Redis / IdP / browser / TLS),
// the attack tour against every adapter, and the benchmark smoke run. Ends with "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const report = `${root}/.vitest-report.json`;

function step(title, command, args, env = {}) {
  console.log(`\n▶ ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`\n✖ ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

step('services', 'bash', ['scripts/ensure-services.sh']);
step('lint', 'pnpm', ['exec', 'biome', 'check', '.']);
step('build, typecheck, publint + attw', 'pnpm', [
  'exec',
  'turbo',
  'run',
  'build',
  'typecheck',
  'check:package',
  '--output-logs=errors-only',
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
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed = json.numFailedTests + (json.numTotalTests === 0 ? 1 : 0);
  rmSync(report, { force: true });
}
if (tests.status !== 0 && failed === 0) failed = 1;

if (failed === 0) {
  step('attack tour (every adapter)', 'node', ['examples/demo/tour.mjs', '--all']);
  // The same tour with every store on Redis (REDIS_URL switches the examples with no code change).
  step(
    'attack tour on Redis stores (express, fastify)',
    'node',
    ['examples/demo/tour.mjs', '--adapter', 'express', '--adapter', 'fastify'],
    {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    },
  );
  if (existsSync(`${root}/bench/run.mjs`))
    step('benchmark smoke run', 'node', ['bench/run.mjs', '--smoke', '--no-build']);
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
