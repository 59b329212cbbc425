#!/usr/bin/env node
// `check:package` of every published package: lint the tarball users get, not the folder. pnpm pack
// applies publishConfig (exports and imports without the `bulwark-source` condition), so publint and
// attw read the very manifest and files that npm would install.
//
// attw runs its strict profile (node10, node16 from CJS and ESM, bundler) minus one rule:
// `cjs-resolves-to-esm`. The packages are ESM-only on purpose: every supported Node (>= 20.19) loads
// them with require() (scripts/tarballs runs them so), and TypeScript >= 5.8 types that under
// `module: nodenext`; attw's bundled TypeScript predates require(esm) and still reports it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-check-package-'));
try {
  run('pnpm', ['pack', '--pack-destination', dir]);
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack wrote no tarball into ${dir}`);
  run('publint', ['run', '--strict', join(dir, tarball)]);
  run('attw', [join(dir, tarball), '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Run a tool from the package folder (pnpm puts the workspace's bins on PATH); exit on failure. */
function run(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error(
      `check:package: ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`,
    );
    process.exit(1);
  }
}
