import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type BundleTarget, bundle, bundleName } from './bundle.js';
import { ensureTools, REPO_ROOT, type Tools } from './tools.js';

declare module 'vitest' {
  export interface ProvidedContext {
    tools: Tools;
    bundles: Record<string, string>;
  }
}

const TARGETS: BundleTarget[] = [];
for (const app of ['fetch', 'hono', 'checks'] as const) {
  for (const runtime of ['bun', 'deno', 'workerd'] as const) {
    // The Hono app runs as each runtime resolves a published package; the WebCrypto back end on Bun and
    // Deno is the fetch app's run (the adapters above core hold no cryptography).
    const cryptos =
      runtime === 'workerd'
        ? (['web'] as const)
        : app === 'hono'
          ? (['native'] as const)
          : (['native', 'web'] as const);
    for (const crypto of cryptos) TARGETS.push({ app, runtime, crypto });
  }
}

/** Once per run: the runtimes installed (first run only) and every app bundled for every runtime. */
export default async function setup(project: TestProject): Promise<void> {
  // The store suite and wrangler dev load the packages as users do, from their built dist/.
  for (const pkg of ['core', 'fetch', 'redis']) {
    if (!existsSync(join(REPO_ROOT, 'packages', pkg, 'dist/index.js'))) {
      throw new Error(
        `packages/${pkg}/dist is missing: run pnpm build first (the runtimes load the built packages)`,
      );
    }
  }
  const tools = ensureTools((line) => console.log(`runtimes: ${line}`));
  // Under node_modules: ignored by git, Biome and the TypeScript projects alike.
  const out = join(REPO_ROOT, 'packages/runtimes/node_modules/.bundles');
  mkdirSync(out, { recursive: true });
  const bundles: Record<string, string> = {};
  await Promise.all(
    TARGETS.map(async (t) => {
      bundles[bundleName(t)] = await bundle(t, out);
    }),
  );
  project.provide('tools', tools);
  project.provide('bundles', bundles);
}
