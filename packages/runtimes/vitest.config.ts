import { defineProject } from 'vitest/config';

// Not part of the root `vitest run` (see the root config): scripts/test.mjs runs this project on its own,
// after installing the runtimes, so its results have their own place in the summary line.
export default defineProject({
  resolve: { conditions: ['bulwark-source'] },
  ssr: { resolve: { conditions: ['bulwark-source'] } },
  test: {
    name: 'runtimes',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
