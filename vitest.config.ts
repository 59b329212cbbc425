import { defineConfig } from 'vitest/config';

// One run over every package: tests import sources through the `bulwark-source` export condition,
// so they need no build step.
export default defineConfig({
  resolve: { conditions: ['bulwark-source'] },
  ssr: { resolve: { conditions: ['bulwark-source'] } },
  test: {
    projects: ['packages/*'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
