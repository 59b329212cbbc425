#!/usr/bin/env node
// The Node versions users run. The whole suite runs on the machine's Node (20.19+, our floor); on each
// newer major a representative subset runs: core's unit and property tests and the express
// conformance suite (real HTTP), here; the packed tarballs' smoke apps, in scripts/tarballs.
// Newer Node binaries come from npm's `node` package, installed once into .tools/node<major>
// (npm's cache makes a reinstall cheap).
//
//   node scripts/node-matrix.mjs            # the subset on every major of MAJORS
//   node scripts/node-matrix.mjs 24         # on Node 24 only
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countResults } from './vitest-report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The majors tested besides the machine's own Node. */
export const MAJORS = [22, 24, 26];

/**
 * vitest projects and file filters of the subset: core whole, express's conformance suite, and fastify's
 * conformance suite with its app-rules tests (fastify writes prepared headers into node's own header table
 * when a startup probe finds it, and core's Vary keeper hooks node's writeHead: both depend on node's
 * internals, so they run on every major).
 */
const SUBSET = [
  '--project',
  'core',
  '--project',
  'express',
  '--project',
  'fastify',
  'packages/core/',
  'packages/express/test/conformance',
  'packages/fastify/test/conformance',
  'packages/fastify/test/app-rules',
];

/** The version a Node binary reports, or undefined when it does not run. */
function versionOf(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Path of a Node `major` binary under .tools, installing it from npm when missing. */
export function ensureNode(major, log = console.log) {
  const prefix = join(root, '.tools', `node${major}`);
  const bin = join(prefix, 'node_modules', '.bin', 'node');
  if (versionOf(bin)?.startsWith(`v${major}.`)) return bin;
  log(`installing node@${major} from npm into ${prefix}`);
  rmSync(prefix, { recursive: true, force: true });
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      `node@${major}`,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const version = versionOf(bin);
  if (!version?.startsWith(`v${major}.`))
    throw new Error(`npm's node@${major} gave ${version ?? 'no runnable binary'}`);
  return bin;
}

/** Run the subset on one Node binary; `{ passed, failed, detail }` from vitest's JSON report. */
export function runSubset(bin, log = console.log) {
  const report = join(root, `.vitest-report-${process.pid}-${Date.now()}.json`);
  const args = [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...SUBSET];
  log(`▶ ${bin} ${args.slice(1).join(' ')}`);
  const result = spawnSync(
    bin,
    [...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (!existsSync(report))
    return { passed: 0, failed: 1, detail: `vitest wrote no report (exit ${result.status})` };
  const counts = countResults(JSON.parse(readFileSync(report, 'utf8')));
  rmSync(report, { force: true });
  for (const f of counts.brokenFiles) console.error(`✖ test file failed to run: ${f}`);
  for (const t of counts.notRun.slice(0, 20)) console.error(`✖ did not run (${t.status}): ${t.name}`);
  const failed =
    counts.failed + counts.notRun.length + counts.brokenFiles.length + (counts.total === 0 ? 1 : 0);
  return {
    passed: counts.passed,
    failed: failed || (result.status === 0 ? 0 : 1),
    detail: '',
    failedNames: counts.failedNames,
  };
}

/**
 * Install (if needed) and test every major. Returns `[{ major, bin, version, passed, failed, detail }]`;
 * a Node that cannot be installed is one failure, named in `detail`.
 */
export function runNodeMatrix(majors = MAJORS, log = console.log) {
  return majors.map((major) => {
    let bin;
    try {
      bin = ensureNode(major, log);
    } catch (error) {
      console.error(`✖ node ${major}: ${error.message}`);
      return { major, bin: undefined, version: `${major}`, passed: 0, failed: 1, detail: error.message };
    }
    const version = versionOf(bin);
    return { major, bin, version, ...runSubset(bin, log) };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const majors = process.argv.slice(2).map(Number);
  const runs = runNodeMatrix(majors.length > 0 ? majors : MAJORS);
  for (const r of runs) console.log(`node ${r.version}: ${r.passed} passed, ${r.failed} failed`);
  process.exit(runs.every((r) => r.failed === 0) ? 0 : 1);
}
