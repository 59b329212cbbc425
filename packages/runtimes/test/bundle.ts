import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './tools.js';

/** Where a bundle runs, and which crypto back end of @bulwark/core it carries. */
export interface BundleTarget {
  readonly app: 'fetch' | 'hono' | 'checks';
  readonly runtime: 'bun' | 'deno' | 'workerd';
  /**
   * `native`: the export conditions the runtime itself resolves a published package with (Bun and Deno both
   * match `node`, so core's node:crypto back end runs on their node:crypto); `web`: without `node`, the
   * WebCrypto back end (what workerd always gets, as wrangler bundles with `workerd`/`worker`/`browser`).
   */
  readonly crypto: 'native' | 'web';
}

const CONDITIONS: Record<BundleTarget['runtime'], Record<BundleTarget['crypto'], string[]>> = {
  bun: { native: ['bun', 'node'], web: ['bun', 'worker'] },
  deno: { native: ['deno', 'node'], web: ['deno', 'worker'] },
  workerd: { native: ['workerd', 'worker', 'browser'], web: ['workerd', 'worker', 'browser'] },
};

/** The file name of a target's bundle. */
export function bundleName(t: BundleTarget): string {
  return `${t.app}-${t.runtime}-${t.crypto}.js`;
}

/**
 * Bundle one app for one runtime from the workspace sources (the `bulwark-source` condition, as the node
 * tests import them), with only `node:` builtins left as imports. The workerd bundle must come out with
 * none at all: it runs without the nodejs_compat flag, as core promises.
 *
 * @example
 * await bundle({ app: 'fetch', runtime: 'deno', crypto: 'native' }, outDir);
 */
export async function bundle(target: BundleTarget, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, bundleName(target));
  await build({
    entryPoints: [join(REPO_ROOT, 'packages/runtimes/test/serve', `${target.runtime}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['bulwark-source', ...CONDITIONS[target.runtime][target.crypto]],
    alias: { 'bulwark-app': join(REPO_ROOT, 'packages/runtimes/apps', `${target.app}.ts`) },
    external: target.runtime === 'workerd' ? [] : ['node:*'],
    // workerd: no external at all, so a node: import anywhere fails this build.
    logLevel: 'silent',
  });
  return outfile;
}
