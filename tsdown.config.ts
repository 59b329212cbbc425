// The one build config of every published package: `tsdown` run in a package folder finds this file.
// Entries come from the package's own manifest: every `./dist/<name>.js` that `exports`, `imports`
// or `bin` points at is built from `src/<name>.ts`. A new subpath export (`@bulwark/core/jwt`) is
// therefore one entry in package.json and no change here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsdown';

/** The manifest fields that name built files. */
interface Manifest {
  name?: string;
  exports?: unknown;
  imports?: unknown;
  bin?: unknown;
}

/** Every string leaf of a manifest field (exports, imports, bin), whatever the nesting of conditions. */
function targets(field: unknown): string[] {
  if (typeof field === 'string') return [field];
  if (field === null || typeof field !== 'object') return [];
  return Object.values(field).flatMap(targets);
}

/** `{ 'node/index': 'src/node/index.ts', … }` for every built file the manifest names. */
export function entriesOf(dir: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const entries: Record<string, string> = {};
  for (const target of [pkg.exports, pkg.imports, pkg.bin].flatMap(targets)) {
    const built = /^\.\/dist\/(.+)\.js$/.exec(target);
    if (!built) continue;
    const name = built[1] as string;
    const source = `./src/${name}.ts`;
    if (!existsSync(join(dir, source))) {
      throw new Error(
        `${pkg.name}: package.json points at ${target}, built from ${source}, which does not exist`,
      );
    }
    entries[name] = source; // `./` keeps it a path: a bare `src/…` would match the never-bundle rule below
  }
  if (Object.keys(entries).length === 0) {
    throw new Error(
      `${dir}: package.json names no ./dist/*.js file to build (run tsdown in a package folder)`,
    );
  }
  return entries;
}

const cwd = process.cwd();

export default defineConfig({
  cwd,
  entry: entriesOf(cwd),
  // ESM only: every supported Node (>= 20.19) loads it with require() too, and jose, our one runtime
  // dependency, is ESM-only already, so a CommonJS build could not run anywhere the ESM one cannot.
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  fixedExtension: false,
  // Only our own files are bundled; every bare specifier stays an import. Packages resolve from the
  // user's install (a dependency or a peer, never a copy inside ours), and `#jwt-crypto`,
  // `#webhook-hmac` and `#sha256` are chosen at run time by the manifest's `imports` conditions (node:crypto under
  // `node`, WebCrypto elsewhere), so they must never be inlined either. The one exception is the
  // compiler's own decorator helpers (NestJS), which exist only at build time.
  deps: { neverBundle: [/^(?!@oxc-project\/runtime\/)[^./\0]/] },
  dts: { sourcemap: true },
  // Maps point into the shipped src/ instead of carrying a second copy of every source file.
  sourcemap: true,
  outputOptions: { sourcemapExcludeSources: true, comments: { legal: true, annotation: true, jsdoc: false } },
  clean: true,
  report: false,
  // A warning (an unresolved import, an eval) is a build error; how long the declaration build takes is not.
  failOnWarn: true,
  checks: { pluginTimings: false },
});
