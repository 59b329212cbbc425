// Pack every public package the way it is published (pnpm pack applies publishConfig and turns
// `workspace:*` into versions) and check each tarball as a user receives it: the manifest names no
// source file, no private package and no workspace range; README and LICENSE ship; maps carry no
// second copy of the sources; core stays within its size budget.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What @bulwark/core may weigh (bytes). Today ≈ 482 KB packed, ≈ 1.58 MB unpacked (DPoP, the event
 * pipeline, the hardening and the synchronous fast paths since the budget was first set at 1.0 MB); a map
 * that embeds the sources again (+0.6 MB), a second module format (+0.4 MB) or a bundled dependency
 * breaks it. */
export const CORE_BUDGET = { packed: 520_000, unpacked: 1_700_000 };

/** Metadata fields every published manifest carries. */
const REQUIRED_FIELDS = [
  'description',
  'keywords',
  'homepage',
  'bugs',
  'repository',
  'license',
  'author',
  'engines',
];

/** The workspace's packages: `{ dir, name, private }`. */
export function workspacePackages(root) {
  const base = join(root, 'packages');
  return readdirSync(base)
    .filter((dir) => statSync(join(base, dir, 'package.json'), { throwIfNoEntry: false }))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(base, dir, 'package.json'), 'utf8'));
      return { dir: join(base, dir), folder: dir, name: pkg.name, private: pkg.private === true };
    });
}

/** Pack each public package into `dest`; returns `[{ name, folder, tarball }]`. */
export function packAll(root, dest) {
  return workspacePackages(root)
    .filter((p) => !p.private)
    .map((p) => {
      const out = execFileSync('pnpm', ['pack', '--pack-destination', dest, '--json'], {
        cwd: p.dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const { filename } = JSON.parse(out.slice(out.indexOf('{')));
      return {
        name: p.name,
        folder: p.folder,
        tarball: filename.startsWith('/') ? filename : join(dest, filename),
      };
    });
}

/** The files of a tarball with their sizes, and its package.json. */
export function readTarball(tarball) {
  const listing = execFileSync('tar', ['-tzvf', tarball], { encoding: 'utf8' });
  const files = listing
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('-'))
    .map((line) => {
      const parts = line.trim().split(/\s+/);
      return {
        path: parts
          .slice(5)
          .join(' ')
          .replace(/^package\//, ''),
        size: Number(parts[2]),
      };
    });
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  );
  return { files, manifest, packed: statSync(tarball).size };
}

/** Every string leaf of a manifest field, with the condition path that leads to it. */
function leaves(value, path = []) {
  if (typeof value === 'string') return [{ path, target: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => leaves(inner, [...path, key]));
}

/**
 * Everything wrong with one packed package, as sentences (empty when it is fine).
 * `privateNames` are the workspace packages that are never published.
 */
export function problemsOf({ name, folder, tarball }, privateNames) {
  const problems = [];
  const { files, manifest, packed } = readTarball(tarball);
  const paths = new Set(files.map((f) => f.path));
  for (const required of ['package.json', 'README.md', 'LICENSE']) {
    if (!paths.has(required)) problems.push(`${name}: ${required} is not in the tarball`);
  }
  for (const field of REQUIRED_FIELDS) {
    if (manifest[field] === undefined) problems.push(`${name}: package.json has no "${field}"`);
  }
  if (manifest.repository?.directory !== `packages/${folder}`) {
    problems.push(
      `${name}: repository.directory is ${manifest.repository?.directory}, not packages/${folder}`,
    );
  }
  for (const field of ['exports', 'imports', 'main', 'types', 'bin', 'typesVersions']) {
    for (const { path, target } of leaves(manifest[field])) {
      const where = [field, ...path].join('.');
      if (path.includes('bulwark-source'))
        problems.push(`${name}: ${where} (the source condition) is published`);
      else if (/^\.\/src\//.test(target)) problems.push(`${name}: ${where} points at source ${target}`);
      else if (target.startsWith('./') && !target.includes('*') && !paths.has(target.slice(2))) {
        problems.push(`${name}: ${where} points at ${target}, which is not in the tarball`);
      }
    }
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (privateNames.includes(dep)) problems.push(`${name}: private ${dep} is in ${field}`);
      if (/^(workspace|link|file):/.test(range)) problems.push(`${name}: ${field}.${dep} is ${range}`);
    }
  }
  for (const file of files) {
    if (/\.test\.ts$/.test(file.path)) problems.push(`${name}: test file ${file.path} is published`);
    if (/\.(cjs|d\.cts)$/.test(file.path)) problems.push(`${name}: ${file.path}: the packages are ESM-only`);
  }
  const maps = files.filter((f) => f.path.endsWith('.map')).map((f) => f.path);
  const withSources = maps.filter((map) => {
    const json = JSON.parse(execFileSync('tar', ['-xzOf', tarball, `package/${map}`], { encoding: 'utf8' }));
    return Array.isArray(json.sourcesContent) && json.sourcesContent.some((s) => s !== null);
  });
  if (withSources.length > 0)
    problems.push(`${name}: ${withSources.join(', ')} embed their sources (shipped in src/ already)`);
  if (name === '@bulwark/core') {
    const unpacked = files.reduce((sum, f) => sum + f.size, 0);
    if (packed > CORE_BUDGET.packed || unpacked > CORE_BUDGET.unpacked) {
      problems.push(
        `@bulwark/core is ${packed} B packed / ${unpacked} B unpacked, over its budget of ` +
          `${CORE_BUDGET.packed} / ${CORE_BUDGET.unpacked} (scripts/tarballs/pack.mjs); see what grew with tar -tzvf`,
      );
    }
  }
  return problems;
}
