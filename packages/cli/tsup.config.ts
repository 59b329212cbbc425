import { defineConfig } from 'tsup';

// One config so `clean` runs once: the library (ESM + CJS, types for each) and the `bulwark` binary
// (dist/bin.js; the CJS twin tsup also emits is unused).
export default defineConfig({
  entry: { index: 'src/index.ts', bin: 'src/bin.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
