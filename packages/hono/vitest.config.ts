import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['bulwark-source'] },
  ssr: { resolve: { conditions: ['bulwark-source'] } },
  test: { name: 'hono', testTimeout: 20_000, hookTimeout: 60_000 },
});
