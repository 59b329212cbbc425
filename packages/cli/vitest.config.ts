import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['bulwark-source'] },
  ssr: { resolve: { conditions: ['bulwark-source'] } },
  // Each file starts its own servers on 127.0.0.1:0; the examples file spawns the example apps (built).
  test: { name: 'cli', testTimeout: 30_000, hookTimeout: 60_000 },
});
