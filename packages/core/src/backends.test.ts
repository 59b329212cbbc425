import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The node and WebCrypto back ends are picked by package.json's conditional `imports` (#webhook-hmac,
// #jwt-crypto, #sha256). A back end that imports the other one's module by a relative path loads both
// under one condition (the packed tarballs' conditions check finds it only after a full pack and install):
// here the static import graph of each back end is walked over the sources.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  imports: Record<string, { 'bulwark-source': { node: string; default: string } }>;
};
const backends = Object.entries(manifest.imports).map(([name, entry]) => ({
  name,
  node: resolve(root, entry['bulwark-source'].node),
  web: resolve(root, entry['bulwark-source'].default),
}));

const IMPORT = /^\s*(?:import|export)\s[^'"]*?\bfrom\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

/** Every source file `file` reaches through relative static imports, and the bare specifiers it names. */
function graph(file: string): { files: Set<string>; specifiers: Set<string> } {
  const files = new Set<string>();
  const specifiers = new Set<string>();
  const visit = (path: string): void => {
    if (files.has(path)) return;
    files.add(path);
    for (const match of readFileSync(path, 'utf8').matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) visit(resolve(dirname(path), specifier.replace(/\.js$/, '.ts')));
      else specifiers.add(specifier);
    }
  };
  visit(file);
  return { files, specifiers };
}

describe('back ends chosen by condition import nothing of the other condition', () => {
  for (const { name, node, web } of backends) {
    it(`${name}: the node back end reaches no WebCrypto back end`, () => {
      const { files } = graph(node);
      for (const other of backends) expect(files.has(other.web), other.web).toBe(false);
    });
    it(`${name}: the WebCrypto back end reaches no node back end and no node: builtin`, () => {
      const { files, specifiers } = graph(web);
      for (const other of backends) expect(files.has(other.node), other.node).toBe(false);
      expect([...specifiers].filter((s) => s.startsWith('node:'))).toEqual([]);
    });
  }
});
