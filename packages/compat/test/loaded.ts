import { createRequire } from 'node:module';

/**
 * The versions of `name` whose files node has loaded so far (from pnpm's store paths), so a test proves
 * which copy the code under test really ran on rather than which one this package depends on.
 */
export function loadedVersions(name: string): string[] {
  const cache = createRequire(import.meta.url).cache;
  const folder = name.replace('/', '+');
  const pattern = new RegExp(`/\\.pnpm/${folder.replace('+', '\\+')}@([^/_]+)[^/]*/node_modules/${name}/`);
  const versions = new Set<string>();
  for (const file of Object.keys(cache)) {
    const match = pattern.exec(file);
    if (match?.[1]) versions.add(match[1]);
  }
  return [...versions].sort();
}
