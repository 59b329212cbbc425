// A fresh npm project outside the workspace that depends on the packed tarballs, as a user's would:
// npm installs them (plus the framework peers from the registry, through npm's cache), then tsc
// compiles the smoke apps to ESM and to CommonJS, and type-checks them and every TypeScript example of
// the packages' READMEs under nodenext, bundler and node10 resolution.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packAll, problemsOf, workspacePackages } from './pack.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The registry packages the smoke apps need, at the ranges the workspace tests against. */
function peerRanges(root) {
  const read = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));
  const ranges = { ...read('package.json').devDependencies };
  // Public packages only: packages/compat pins older majors that no user gets by default.
  for (const { folder } of workspacePackages(root).filter((p) => !p.private)) {
    const pkg = read(`packages/${folder}/package.json`);
    Object.assign(ranges, pkg.devDependencies, pkg.peerDependencies);
  }
  const wanted = [
    'express',
    'fastify',
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/platform-express',
    '@nestjs/platform-fastify',
    'reflect-metadata',
    'rxjs',
    'ioredis',
    'hono',
    '@hono/node-server',
    'typescript',
    '@types/express',
    '@types/node',
  ];
  return Object.fromEntries(wanted.map((name) => [name, ranges[name] ?? 'latest']));
}

/** Every ```ts block of a README, in order. */
function tsBlocks(markdown) {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

const COMPILER = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  target: 'ES2022',
  lib: ['ES2023', 'DOM'],
  types: ['node'],
  skipLibCheck: true,
  esModuleInterop: true,
  experimentalDecorators: true,
};

/** tsconfig files of the project: what each resolution mode compiles. */
const CONFIGS = {
  // Emits the apps that run: .mts → ESM, .cts → CommonJS (require() of our ESM, Node >= 20.19).
  'tsconfig.nodenext.json': {
    compilerOptions: { ...COMPILER, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' },
    include: ['src/esm/*.mts', 'src/cjs/*.cts', 'src/readme/*.mts'],
  },
  'tsconfig.bundler.json': {
    compilerOptions: { ...COMPILER, module: 'preserve', moduleResolution: 'bundler', noEmit: true },
    include: ['src/esm/*.mts', 'src/readme/*.mts'],
  },
  'tsconfig.node10.json': {
    compilerOptions: { ...COMPILER, module: 'commonjs', moduleResolution: 'node10', noEmit: true },
    include: ['src/node10/*.ts'],
  },
};

/**
 * Build the project in `dir`: pack (failing on any packaging problem), install, compile.
 * Returns the apps to run, `[{ name, format, file }]`, and what took how long.
 */
export function prepare(root, dir, log = console.log) {
  const timings = {};
  const time = (label, fn) => {
    const start = performance.now();
    const result = fn();
    timings[label] = Math.round(performance.now() - start);
    return result;
  };
  const tarballs = join(dir, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  const packed = time('pack', () => packAll(root, tarballs));
  const privateNames = workspacePackages(root)
    .filter((p) => p.private)
    .map((p) => p.name);
  const problems = packed.flatMap((p) => problemsOf(p, privateNames));
  if (problems.length > 0) throw new Error(`packaging problems:\n  ${problems.join('\n  ')}`);
  log(`packed and checked ${packed.length} tarballs: ${packed.map((p) => basename(p.tarball)).join(', ')}`);

  const dependencies = {
    ...Object.fromEntries(packed.map((p) => [p.name, `file:./tarballs/${basename(p.tarball)}`])),
    ...peerRanges(root),
  };
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'bulwark-tarball-smoke', private: true, dependencies }, null, 2)}\n`,
  );
  time('npm install', () =>
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );

  const src = (sub) => {
    mkdirSync(join(dir, 'src', sub), { recursive: true });
    return join(dir, 'src', sub);
  };
  const apps = readdirSync(join(here, 'apps')).filter((f) => f.endsWith('.ts'));
  for (const app of apps) {
    const name = app.replace(/\.ts$/, '');
    copyFileSync(join(here, 'apps', app), join(src('esm'), `${name}.mts`));
    copyFileSync(join(here, 'apps', app), join(src('cjs'), `${name}.cts`));
    copyFileSync(join(here, 'apps', app), join(src('node10'), app));
  }
  for (const { folder } of workspacePackages(root).filter((p) => !p.private)) {
    const readme = readFileSync(join(root, 'packages', folder, 'README.md'), 'utf8');
    tsBlocks(readme).forEach((code, i) => {
      writeFileSync(join(src('readme'), `${folder}-${i + 1}.mts`), `export {};\n${code}`);
    });
  }
  for (const file of readdirSync(join(here, 'fixtures')))
    copyFileSync(join(here, 'fixtures', file), join(dir, file));
  for (const [file, config] of Object.entries(CONFIGS)) {
    writeFileSync(join(dir, file), `${JSON.stringify(config, null, 2)}\n`);
    time(`tsc ${file}`, () =>
      execFileSync(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', file], {
        cwd: dir,
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    );
  }
  log(`compiled the apps and the README examples under ${Object.keys(CONFIGS).join(', ')}`);
  const runnable = apps.map((a) => a.replace(/\.ts$/, '')).filter((name) => name !== 'types');
  return {
    dir,
    timings,
    apps: runnable.flatMap((name) => [
      { name, format: 'esm', file: join(dir, 'out', 'esm', `${name}.mjs`) },
      { name, format: 'cjs', file: join(dir, 'out', 'cjs', `${name}.cjs`) },
    ]),
  };
}
