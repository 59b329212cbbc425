import { defineProject } from 'vitest/config';

// No bulwark-source condition here: the docs are checked and run against the built packages (dist/), as
// a user's project gets them.
export default defineProject({
  test: { name: 'docs-check', testTimeout: 60_000, hookTimeout: 120_000 },
});
