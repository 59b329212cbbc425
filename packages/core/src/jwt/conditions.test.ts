import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Resolve `#jwt-crypto` the way a bundler does for each target, with the esbuild that builds this package
// (through tsup): the `node` condition must pick node:crypto, every other runtime WebCrypto.
const require = createRequire(import.meta.url);
/** The part of esbuild's API used here (its types are not a dependency of this package). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild;
const entry = fileURLToPath(new URL('./crypto.ts', import.meta.url));

async function bundle(platform: 'node' | 'neutral' | 'browser'): Promise<string> {
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    conditions: ['bulwark-source'],
    external: ['jose', 'node:*'],
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

describe('#jwt-crypto import condition', () => {
  it('selects the node:crypto back end for node', async () => {
    const code = await bundle('node');
    expect(code).toContain('node:crypto');
    expect(code).toMatch(/name: "node"/);
  });
  it.each(['neutral', 'browser'] as const)(
    'selects WebCrypto for %s (Workers, Deno, Bun, browsers)',
    async (platform) => {
      const code = await bundle(platform);
      expect(code).not.toContain('node:crypto');
      expect(code).toMatch(/name: "webcrypto"/);
    },
  );
});
