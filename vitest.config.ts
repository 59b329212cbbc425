import { defineConfig } from 'vitest/config';

// One run over every package: tests import sources through the `bulwark-source` export condition,
// so they need no build step.
export default defineConfig({
  resolve: { conditions: ['bulwark-source'] },
  ssr: { resolve: { conditions: ['bulwark-source'] } },
  test: {
    // packages/runtimes serves the suites on Bun, Deno and workerd; scripts/test.mjs runs it on its own.
    projects: ['packages/*', '!packages/runtimes'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
