// examples/README.md documents every environment variable the examples read: the shared configuration,
// the examples' own entry points and the Redis stores' storesFromEnv.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { docFiles } from '../src/blocks.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const readme = join(root, 'examples/README.md');

/** Source files of the examples (not their dependencies, build output or tests). */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'test') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(mjs|js|ts)$/.test(name)) out.push(path);
  }
  return out;
}

/** Names read as `env.NAME`, `env['NAME']`, `process.env.NAME`, or with shared/config.mjs's `required('NAME')`. */
function envNames(text: string): string[] {
  const read =
    /\benv(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])|\brequired\(['"]([A-Z][A-Z0-9_]*)['"]\)/g;
  return [...text.matchAll(read)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

describe('examples/README.md', () => {
  it('exists, and its code blocks are among the checked docs', () => {
    expect(existsSync(readme)).toBe(true);
    expect(docFiles(root)).toContain('examples/README.md');
  });

  it('documents every environment variable the examples read, in its table', () => {
    const read = new Set<string>();
    for (const file of sources(join(root, 'examples'))) {
      for (const name of envNames(readFileSync(file, 'utf8'))) read.add(name);
    }
    for (const name of envNames(readFileSync(join(root, 'packages/redis/src/from-env.ts'), 'utf8'))) {
      read.add(name);
    }
    // The ones this test must find, so a change in how they are read cannot empty the list unnoticed.
    for (const name of ['ISSUER', 'PUBLIC_URL', 'NEST_PLATFORM', 'REDIS_URL', 'REDIS_CLUSTER']) {
      expect(read, name).toContain(name);
    }
    const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
    const documented = new Set([...text.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!));
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });
});
