import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, runPrefix } from './redis-url.js';

// Two real server processes, express and fastify, sharing one Redis through storesFromEnv(): what a
// deployment behind a load balancer looks like. The fixtures are bundled from source (the bulwark-source
// condition) with esbuild, npm packages left external, so no build step is needed.
const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'node_modules', '.cache', `bulwark-multi-${process.pid}`);
const prefix = runPrefix('multi');
const LIMIT = 25;
const secret = `whsec_${randomBytes(24).toString('base64')}`;

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
}
let instances: Instance[] = [];
// Every child we spawned, so a failed start (the other child already up) still gets cleaned up.
const children: ChildProcess[] = [];

interface ResolveArgs {
  path: string;
  resolveDir: string;
  kind: string;
  pluginData?: unknown;
}
interface ResolveHook {
  onResolve(
    options: { filter: RegExp },
    callback: (args: ResolveArgs) => Promise<{ path: string; external: boolean } | undefined>,
  ): void;
  resolve(
    path: string,
    options: { resolveDir: string; kind: string; pluginData: unknown },
  ): Promise<{ path: string }>;
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

async function bundle(entry: string): Promise<string> {
  const require = createRequire(import.meta.url);
  // esbuild is a root dev dependency; only the part of its API used here is typed.
  const esbuild = require('esbuild') as Esbuild;
  const outfile = join(outDir, `${entry}.mjs`);
  await esbuild.build({
    entryPoints: [join(here, 'multi', `${entry}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['bulwark-source'],
    logLevel: 'error',
    plugins: [
      {
        name: 'npm-external',
        setup(build: ResolveHook) {
          // Our sources are bundled; every npm package stays external, imported by its resolved path so it
          // loads exactly as it would from the package that depends on it (fastify-plugin lives only in
          // @bulwark/fastify's node_modules, for instance).
          build.onResolve({ filter: /^[^./#]/ }, async (args) => {
            if (args.path.startsWith('@bulwark/') || args.pluginData === 'inner') return undefined;
            if (isBuiltin(args.path)) return { path: args.path, external: true };
            const found = await build.resolve(args.path, {
              resolveDir: args.resolveDir,
              kind: args.kind,
              pluginData: 'inner',
            });
            return { path: found.path, external: true };
          });
        },
      },
    ],
  });
  return outfile;
}

async function start(name: string, file: string): Promise<Instance> {
  const child = spawn(process.execPath, [file], {
    env: {
      ...process.env,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      GLOBAL_LIMIT: String(LIMIT),
      WEBHOOK_SECRET: secret,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { name, url: `http://127.0.0.1:${port}`, child };
}

beforeAll(async () => {
  await mkdir(outDir, { recursive: true });
  const [expressFile, fastifyFile] = await Promise.all([bundle('express-app'), bundle('fastify-app')]);
  instances = await Promise.all([start('express', expressFile), start('fastify', fastifyFile)]);
});

afterAll(async () => {
  await Promise.all(
    children
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
  );
  await rm(outDir, { recursive: true, force: true });
  const client = new Redis(REDIS_URL);
  const keys = await client.keys(`*${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
});

/** Run `count` calls with at most `width` in flight (bounded load). */
async function pool<T>(count: number, width: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await call(i);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

describe('two instances (express + fastify) sharing one Redis', () => {
  it('admit exactly the global limit between them under concurrent load', async () => {
    const statuses = await pool(200, 40, async (i) => {
      const res = await fetch(`${instances[i % 2]!.url}/limited`);
      await res.arrayBuffer();
      return res.status;
    });
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - LIMIT);
    // Both instances did admit some: the limit is shared, not per process.
    const perInstance = [0, 1].map((k) => statuses.filter((s, i) => s === 200 && i % 2 === k).length);
    expect(perInstance.every((n) => n > 0)).toBe(true);
  });

  it('process a webhook delivered to both at once exactly once', async () => {
    const sender = new Webhook(secret);
    const events = Array.from({ length: 10 }, (_, i) => `msg_${prefix.replace(/\W/g, '')}_${i}`);
    const replies = await Promise.all(
      events.flatMap((id) => {
        const payload = JSON.stringify({ type: 'order.paid', id });
        const timestamp = new Date();
        const headers = {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': sender.sign(id, timestamp, payload),
        };
        return instances.map((i) =>
          fetch(`${i.url}/webhook`, { method: 'POST', headers, body: payload }).then(async (r) => ({
            status: r.status,
            body: await r.text(),
          })),
        );
      }),
    );
    const stats = await Promise.all(
      instances.map((i) => fetch(`${i.url}/stats`).then((r) => r.json() as Promise<{ processed: number }>)),
    );
    expect(stats.reduce((n, s) => n + s.processed, 0)).toBe(events.length);
    // Per event: one delivery processed it; the other saw it in progress (409) or already done (200 duplicate).
    expect(replies.filter((r) => r.status === 200 && r.body.includes('"duplicate":false'))).toHaveLength(
      events.length,
    );
    for (const r of replies) expect([200, 409]).toContain(r.status);
  });

  it('rotate a refresh token used concurrently on both instances once', async () => {
    const login = (await (await fetch(`${instances[0]!.url}/login`, { method: 'POST' })).json()) as {
      refresh_token: string;
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${instances[i % 2]!.url}/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: login.refresh_token }),
        }).then(async (r) => ({ status: r.status, body: await r.text() })),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    // Every other use of the same token is refused (reuse detected: the family is revoked).
    expect(results.filter((r) => r.status >= 400 && r.status < 500)).toHaveLength(9);
  });
});
