import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// Resolve `#jwt-crypto` and `#webhook-hmac` the way a bundler does for each target, with the two bundlers
// users reach for: rolldown (which builds this package, through tsdown, and powers vite) and esbuild.
// The `node` condition must pick node:crypto, every other runtime WebCrypto. The entry is virtual and
// sits in src/, so this reads package.json's `imports` exactly as a file of the package would.
const require = createRequire(import.meta.url);
const srcDir = fileURLToPath(new URL('..', import.meta.url));
const virtualEntry = `${srcDir}conditions-entry.ts`;

type Platform = 'node' | 'neutral' | 'browser';
type Bundle = (code: string, platform: Platform) => Promise<string>;

/** The part of esbuild's API used here (its types are not a dependency of this package). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
/** The part of rolldown's API used here. */
interface Rolldown {
  build(options: Record<string, unknown>): Promise<{ output: { code?: string }[] }>;
}

const esbuild: Bundle = async (code, platform) => {
  const api = require('esbuild') as Esbuild;
  const out = await api.build({
    stdin: { contents: code, resolveDir: srcDir, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    conditions: ['bulwark-source'],
    external: ['jose', 'node:*'],
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
};

const rolldown: Bundle = async (code, platform) => {
  const path = createRequire(require.resolve('tsdown')).resolve('rolldown');
  const api = (await import(pathToFileURL(path).href)) as Rolldown;
  const out = await api.build({
    input: virtualEntry,
    write: false,
    platform,
    resolve: { conditionNames: ['bulwark-source'] },
    external: ['jose', /^node:/],
    logLevel: 'silent',
    plugins: [
      {
        name: 'virtual-entry',
        resolveId: (id: string) => (id === virtualEntry ? id : null),
        load: (id: string) => (id === virtualEntry ? code : null),
      },
    ],
  });
  return out.output[0]!.code!;
};

const imports = {
  '#jwt-crypto': `export { backend } from '#jwt-crypto';`,
  '#webhook-hmac': `export { backend } from '#webhook-hmac';`,
};

describe.each([
  ['rolldown', rolldown],
  ['esbuild', esbuild],
] as const)('import conditions under %s', (_, bundle) => {
  describe.each(Object.entries(imports))('%s', (_name, code) => {
    it('selects the node:crypto back end for node', async () => {
      const out = await bundle(code, 'node');
      expect(out).toMatch(/from "node:crypto"/);
      expect(out).toMatch(/name: "node"/);
      expect(out).not.toMatch(/name: "webcrypto"/);
    });
    it.each(['neutral', 'browser'] as const)(
      'selects WebCrypto for %s (Workers, Deno, Bun, browsers)',
      async (platform) => {
        const out = await bundle(code, platform);
        expect(out).not.toContain('node:crypto');
        expect(out).toMatch(/name: "webcrypto"/);
        expect(out).not.toMatch(/name: "node"/);
      },
    );
  });
});
