#!/usr/bin/env node
// The packages as users get them: pack every public package, install the tarballs with npm into a
// fresh project in the system temp folder (outside the workspace), compile the smoke apps and the
// README examples with tsc, and run every app in ESM and CommonJS over real HTTP.
//
//   node scripts/tarballs/run.mjs                      # on this Node
//   node scripts/tarballs/run.mjs --node <bin> …       # on each Node binary given (install happens once)
//   node scripts/tarballs/run.mjs --json <file>        # also write the results as JSON
//
// Needs a build (dist/) and Redis at REDIS_URL (default redis://127.0.0.1:6379). Exit code 1 on any failure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepare } from './project.mjs';
import { smoke } from './smoke.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Prepare once, then run every check on each Node binary. Returns
 * `[{ node, version, passed, failed, results }]`; the project folder is removed afterwards.
 */
export async function runTarballSuite(nodes = [process.execPath], log = console.log) {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-tarballs-'));
  try {
    const project = prepare(root, dir, log);
    log(
      `setup: ${Object.entries(project.timings)
        .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`)
        .join(', ')}`,
    );
    const runs = [];
    for (const node of nodes) {
      const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
      const results = await smoke(node, project);
      for (const r of results)
        log(`${r.ok ? '✓' : '✗'} node ${version}: ${r.name}${r.ok ? '' : `\n    ${r.detail}`}`);
      const passed = results.filter((r) => r.ok).length;
      runs.push({ node, version, passed, failed: results.length - passed, results });
    }
    return runs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { node: { type: 'string', multiple: true }, json: { type: 'string' } },
  });
  let runs;
  try {
    runs = await runTarballSuite((values.node ?? [process.execPath]).map((bin) => resolve(bin)));
  } catch (error) {
    console.error(`✗ tarballs: ${error.message}`);
    process.exit(1);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(runs, null, 2)}\n`);
  for (const r of runs) console.log(`tarballs on node ${r.version}: ${r.passed} passed, ${r.failed} failed`);
  process.exit(runs.every((r) => r.failed === 0) ? 0 : 1);
}
