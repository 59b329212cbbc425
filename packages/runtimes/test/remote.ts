import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterHarness, AppSpec, RunningApp, ScenarioGroup } from '@bulwark/conformance';
import { encodeSpec } from './spec-encode.js';
import type { Tools } from './tools.js';

/** A runtime the apps are served on, other than node. */
export type Runtime = 'bun' | 'deno' | 'workerd';

/** Options of {@link remoteHarness}. */
export interface RemoteHarnessOptions {
  readonly name: string;
  readonly runtime: Runtime;
  /** The bundle of the app and the runtime's serve entry (bundle.ts). */
  readonly bundle: string;
  readonly tools: Tools;
  readonly excludes?: Readonly<Partial<Record<ScenarioGroup, string>>>;
  /** Rewrite a spec for this runtime before it is sent (documented where it is used). */
  readonly adapt?: (spec: AppSpec) => AppSpec;
  /** Extra text bindings for workerd. */
  readonly bindings?: Readonly<Record<string, string>>;
}

/** The part of miniflare's API used here (its types are not installed in the workspace). */
type MiniflareClass = new (options: {
  modules: { type: 'ESModule'; path: string; contents: string }[];
  compatibilityDate: string;
  bindings: Record<string, string>;
  host: string;
  port: number;
  cf: boolean;
}) => { ready: Promise<URL>; dispose(): Promise<void> };

/** The compatibility date the workerd apps run with: no compatibility flags, so no nodejs_compat. */
export const COMPATIBILITY_DATE = '2025-09-01';

function waitForPort(child: ChildProcess, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within 30 s`)), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${err.slice(-4000)}`));
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /^\{"port":(\d+)\}$/m.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once('exit', (code, signal) =>
      fail(new Error(`${what} exited (${code ?? signal}) before listening`)),
    );
  });
}

async function startProcess(o: RemoteHarnessOptions, specText: string): Promise<RunningApp> {
  const dir = mkdtempSync(join(tmpdir(), `bulwark-${o.runtime}-`));
  const specFile = join(dir, 'spec.json');
  writeFileSync(specFile, specText);
  const [command, args] =
    o.runtime === 'bun'
      ? [o.tools.bun, [o.bundle, specFile]]
      : [
          o.tools.deno,
          // Network only (the app's own port, the test's JWKS and OIDC provider on loopback), and the spec.
          ['run', '--quiet', '--no-prompt', '--allow-net', `--allow-read=${specFile}`, o.bundle, specFile],
        ];
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: dir, DENO_DIR: join(dir, 'deno'), NO_COLOR: '1' },
  });
  const port = await waitForPort(child, `${o.runtime} ${o.bundle}`);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function startWorkerd(o: RemoteHarnessOptions, specText: string): Promise<RunningApp> {
  const { Miniflare } = (await import(o.tools.miniflare)) as { Miniflare: MiniflareClass };
  const mf = new Miniflare({
    // The bundle as the one module of the Worker, as wrangler uploads it. With `scriptPath`, miniflare
    // would scan the file for the modules it imports and refuse a dynamic import() whose specifier is not a
    // literal (core's optional OpenTelemetry lookup), which a deployed Worker simply fails to resolve at run time.
    modules: [{ type: 'ESModule', path: o.bundle, contents: readFileSync(o.bundle, 'utf8') }],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { SPEC: specText, ...o.bindings },
    host: '127.0.0.1',
    port: 0,
    // The request.cf placeholder, never fetched from Cloudflare: the run is offline.
    cf: false,
  });
  const url = await mf.ready;
  return { url: url.origin, close: () => mf.dispose() };
}

/**
 * A conformance harness that serves the app on Bun, Deno or workerd: the spec is encoded (spec-encode.ts)
 * and the app built from it inside the runtime, from the same source as on node; the scenarios stay in
 * this node process and talk to it over real HTTP on 127.0.0.1.
 *
 * @example
 * defineAdapterSuite(remoteHarness({ name: 'fetch on bun', runtime: 'bun', bundle, tools }));
 */
export function remoteHarness(o: RemoteHarnessOptions): AdapterHarness {
  return {
    name: o.name,
    ...(o.excludes !== undefined ? { excludes: o.excludes } : {}),
    ...(o.runtime === 'workerd'
      ? {
          dropsEmptyHeaderValues:
            'workerd drops a request header whose value is empty before the Worker runs (an empty Authorization arrives as none)',
        }
      : {}),
    async start(spec) {
      const text = encodeSpec(o.adapt ? o.adapt(spec) : spec);
      return o.runtime === 'workerd' ? startWorkerd(o, text) : startProcess(o, text);
    },
  };
}
