// `pnpm typecheck` is `turbo run typecheck`, which runs the `typecheck` script of each workspace package: a
// package with TypeScript sources and no such script is never type-checked (examples/nestjs-api was not,
// and four errors went unseen).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function hasTypeScript(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory() ? hasTypeScript(path) : /\.(ts|mts|cts|tsx)$/.test(name)) return true;
  }
  return false;
}

it('every workspace package with TypeScript in src/ has a typecheck script', () => {
  const missing: string[] = [];
  let seen = 0;
  for (const group of ['packages', 'examples']) {
    for (const dir of readdirSync(join(root, group)).sort()) {
      const manifest = join(root, group, dir, 'package.json');
      if (!existsSync(manifest) || !hasTypeScript(join(root, group, dir, 'src'))) continue;
      seen++;
      const { scripts } = JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> };
      if (scripts?.typecheck === undefined) missing.push(`${group}/${dir}`);
    }
  }
  expect(seen).toBeGreaterThan(5);
  expect(missing).toEqual([]);
});
