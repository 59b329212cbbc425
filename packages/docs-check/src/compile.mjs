// @ts-check
// Type-check the docs' blocks as a user's project would: each block one ES module in a temporary folder
// whose node_modules is this package's (so `@bulwark/*` resolves to the workspace packages' built `dist/`
// declarations, as from npm, and nothing else of the monorepo is visible), one tsconfig (strict, nodenext),
// the compiler's own CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockId, moduleOf } from './blocks.mjs';

/** This package's folder. */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The compilers the blocks are checked with: the workspace's TypeScript 5.9 and TypeScript 7. */
export const COMPILERS = {
  'TS 5.9': join(PACKAGE_DIR, 'node_modules', 'typescript', 'bin', 'tsc'),
  'TS 7': join(PACKAGE_DIR, 'node_modules', 'typescript7', 'bin', 'tsc'),
};

/**
 * A fresh folder in the system temp directory that resolves packages as this one does (its node_modules
 * is a link to ours). Remove it with `dispose()`.
 */
export function tempProject(label = 'docs') {
  const dir = mkdtempSync(join(tmpdir(), `bulwark-${label}-`));
  symlinkSync(join(PACKAGE_DIR, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a user's strict project sets; decorators as NestJS needs them (legacy, no metadata: bulwark injects explicitly). */
export const COMPILER_OPTIONS = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  lib: ['es2023', 'dom', 'dom.iterable'],
  types: ['node'],
  experimentalDecorators: true,
  skipLibCheck: true,
  noEmit: true,
};

/**
 * Write one `.mts` per checked block into `dir` (a `tempProject`).
 * @param {import('./blocks.mjs').Block[]} blocks every block (the checked ones are written)
 * @param {string} dir
 * @returns {Map<string, { block: import('./blocks.mjs').Block, origin: { file: string, line: number }[] }>}
 *   by written file name
 */
export function writeProject(blocks, dir) {
  const files = new Map();
  for (const block of blocks.filter((b) => b.kind === 'checked')) {
    const page = blocks.filter((b) => b.file === block.file);
    const { source, origin } = moduleOf(block, page);
    const name = `${blockId(block).replace(/[^\w]+/g, '_')}.mts`;
    writeFileSync(join(dir, name), source);
    files.set(name, { block, origin });
  }
  return files;
}

/**
 * Run the compiler at `tsc` (a path to a `bin/tsc`) over the project in `dir`; the diagnostics by block id,
 * each placed at its markdown line (`docs/jwt.md:14: TS2322 …`). tsc reports no semantic error at all
 * while any file has a syntax error, so files with syntax errors are reported and left out of a second
 * run: one broken block never hides the type errors of the others.
 * @param {string} tsc
 * @param {string} dir
 * @param {ReturnType<typeof writeProject>} files
 */
export function typeCheck(tsc, dir, files) {
  /** @type {Map<string, string[]>} */
  const byBlock = new Map([...files.values()].map(({ block }) => [blockId(block), []]));
  const other = [];
  let names = [...files.keys()];
  for (let pass = 0; pass < 2 && names.length > 0; pass++) {
    // A second pass re-checks the files without syntax errors: what the first said of them is replaced.
    for (const n of names) {
      const entry = files.get(n);
      if (entry) byBlock.set(blockId(entry.block), []);
    }
    writeFileSync(
      join(dir, 'tsconfig.json'),
      `${JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: names }, null, 2)}\n`,
    );
    const broken = new Set();
    for (const d of run(tsc, dir)) {
      const entry = d.file === undefined ? undefined : files.get(d.file);
      if (!entry) {
        other.push(d.text);
        continue;
      }
      const at = entry.origin[d.line - 1];
      byBlock
        .get(blockId(entry.block))
        ?.push(`${at ? `${at.file}:${at.line}` : d.file}: ${d.code} ${d.text}`);
      if (/^TS1\d{3}$/.test(d.code)) broken.add(d.file);
    }
    if (broken.size === 0) break;
    names = names.filter((n) => !broken.has(n));
  }
  return { byBlock, other };
}

/**
 * The diagnostics of one `tsc -p` run: `file.mts(12,5): error TS2322: message`, continuation lines indented.
 * @param {string} tsc @param {string} dir
 * @returns {{ file?: string, line: number, code: string, text: string }[]}
 */
function run(tsc, dir) {
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return [];
  } catch (error) {
    const e = /** @type {{ stdout?: string, stderr?: string }} */ (error);
    output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    if (output.trim() === '') throw error;
  }
  /** @type {{ file?: string, line: number, code: string, text: string }[]} */
  const out = [];
  for (const line of output.split('\n')) {
    const m = /^(?:.*[\\/])?([^\\/()]+\.mts)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    const last = out[out.length - 1];
    if (m) out.push({ file: m[1], line: Number(m[2]), code: m[4] ?? '', text: m[5] ?? '' });
    else if (line.startsWith(' ') && last) last.text += `\n${line}`;
    else if (line.trim() !== '') out.push({ line: 0, code: '', text: line });
  }
  return out;
}
