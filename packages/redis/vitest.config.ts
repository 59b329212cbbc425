import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['bulwark-source'] },
  ssr: { resolve: { conditions: ['bulwark-source'] } },
  // Files share one Redis and start their own servers (cluster, fault instance): run them one at a time.
  test: { name: 'redis', testTimeout: 30_000, hookTimeout: 120_000, fileParallelism: false },
});
