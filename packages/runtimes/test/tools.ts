import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the runtimes under test live once installed. */
export interface Tools {
  readonly dir: string;
  readonly bun: string;
  readonly deno: string;
  /** The miniflare module (its `Miniflare` class starts workerd). */
  readonly miniflare: string;
  /** wrangler's CLI entry, run with node. */
  readonly wrangler: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = join(here, '..', '..', '..');
const MANIFEST_DIR = join(here, '..', 'tools');

// Binaries straight from the platform packages: install scripts are not run (npm ci --ignore-scripts), so
// nothing but the pinned tarballs is executed at install time, whatever npm's script policy is.
const BUN: Record<string, string> = {
  'linux x64': '@oven/bun-linux-x64/bin/bun',
  'linux arm64': '@oven/bun-linux-aarch64/bin/bun',
  'darwin x64': '@oven/bun-darwin-x64/bin/bun',
  'darwin arm64': '@oven/bun-darwin-aarch64/bin/bun',
};
const DENO: Record<string, string> = {
  'linux x64': '@deno/linux-x64-glibc/deno',
  'linux arm64': '@deno/linux-arm64-glibc/deno',
  'darwin x64': '@deno/darwin-x64/deno',
  'darwin arm64': '@deno/darwin-arm64/deno',
};

function binary(table: Record<string, string>, dir: string, name: string): string {
  const key = `${platform()} ${arch()}`;
  const relative = table[key];
  if (relative === undefined) throw new Error(`no ${name} binary is known for ${key}`);
  const path = join(dir, 'node_modules', relative);
  if (!existsSync(path) || statSync(path).size < 1_000_000) throw new Error(`${name} is missing at ${path}`);
  return path;
}

/**
 * Install (once per lockfile) and locate Bun, Deno, miniflare/workerd and wrangler, pinned by
 * packages/runtimes/tools/package-lock.json, into `BULWARK_TOOLS_DIR` (default `<repo>/.tools/runtimes`) with
 * `npm ci --ignore-scripts`: only the npm registry is contacted, and only on the first run.
 *
 * @example
 * const { bun } = ensureTools();
 */
export function ensureTools(log: (line: string) => void = () => {}): Tools {
  const dir = process.env.BULWARK_TOOLS_DIR ?? join(REPO_ROOT, '.tools', 'runtimes');
  const lock = readFileSync(join(MANIFEST_DIR, 'package-lock.json'));
  const stamp = createHash('sha256').update(lock).digest('hex');
  const stampFile = join(dir, '.installed');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(MANIFEST_DIR, 'package.json'), join(dir, 'package.json'));
    copyFileSync(join(MANIFEST_DIR, 'package-lock.json'), join(dir, 'package-lock.json'));
    log(`installing bun, deno, miniflare and wrangler into ${dir} (npm ci --ignore-scripts)`);
    execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    writeFileSync(stampFile, stamp);
  }
  const miniflare = join(dir, 'node_modules', 'miniflare', 'dist', 'src', 'index.js');
  const wrangler = join(dir, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  for (const path of [miniflare, wrangler]) if (!existsSync(path)) throw new Error(`missing ${path}`);
  return {
    dir,
    bun: binary(BUN, dir, 'bun'),
    deno: binary(DENO, dir, 'deno'),
    miniflare,
    wrangler,
  };
}
