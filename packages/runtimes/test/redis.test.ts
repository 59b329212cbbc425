import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RateLimitStore, RefreshTokenStore, ReplayStore, RevocationStore } from '@bulwark/core';
import { defineStoreSuite } from '@bulwark/conformance';
import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { REPO_ROOT } from './tools.js';

const tools = inject('tools');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ENTRY = join(REPO_ROOT, 'packages/runtimes/test/serve/stores.ts');

const METHODS = {
  rateLimit: ['consume', 'consumeAll'],
  replay: ['claim', 'complete', 'release'],
  revocation: ['revoke', 'isRevoked'],
  refresh: ['create', 'rotate', 'revokeFamily'],
} as const;
type Kind = keyof typeof METHODS;

/**
 * The @bulwark/redis stores running inside Bun or Deno (test/serve/stores.ts, on ioredis, against the real
 * Redis), seen from node as store objects whose every call is one request to that process.
 */
function remoteStores(runtime: 'bun' | 'deno') {
  const prefix = `bwtest:${runtime}:${process.pid}:${Date.now().toString(36)}`;
  let child: ChildProcess | undefined;
  let started: Promise<string> | undefined;
  const start = () =>
    (started ??= new Promise<string>((resolve, reject) => {
      const args =
        runtime === 'bun'
          ? [ENTRY, REDIS_URL, prefix]
          : ['run', '--quiet', '--no-prompt', '--allow-net', '--allow-env', ENTRY, REDIS_URL, prefix];
      child = spawn(runtime === 'bun' ? tools.bun : tools.deno, args, {
        cwd: join(REPO_ROOT, 'packages/runtimes'),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
      });
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`${runtime} store server did not start: ${out}`)),
        30_000,
      );
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /\{"port":(\d+)\}/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${m[1]}/`);
        }
      });
      child.stderr!.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.once('exit', (code) => reject(new Error(`${runtime} store server exited ${code}: ${out}`)));
    }));
  const post = async (body: unknown) => {
    const res = await fetch(await start(), { method: 'POST', body: JSON.stringify(body) });
    return (await res.json()) as { id?: string; result?: unknown; error?: { name: string; message: string } };
  };
  async function make<K extends Kind>(kind: K) {
    const { id } = await post({ kind });
    const store: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of METHODS[kind]) {
      store[method] = async (...args: unknown[]) => {
        const answer = await post({ id, method, args });
        if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error);
        return answer.result === null ? undefined : answer.result;
      };
    }
    return store;
  }
  return {
    prefix,
    rateLimit: async () => (await make('rateLimit')) as unknown as RateLimitStore,
    replay: async () => (await make('replay')) as unknown as ReplayStore,
    revocation: async () => (await make('revocation')) as unknown as RevocationStore,
    refresh: async () => (await make('refresh')) as unknown as RefreshTokenStore,
    async close() {
      if (child !== undefined && child.exitCode === null) {
        const exited = new Promise((r) => child!.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

for (const runtime of ['bun', 'deno'] as const) {
  const remote = remoteStores(runtime);
  afterAll(async () => {
    await remote.close();
    // Our keys expire by themselves; remove them now to leave the shared server as we found it.
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    await client.connect();
    const keys = await client.keys(`*${remote.prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });
  defineStoreSuite(`redis (ioredis on ${runtime})`, {
    rateLimit: remote.rateLimit,
    consumeAll: true,
    replay: remote.replay,
    revocation: remote.revocation,
    refresh: remote.refresh,
  });
}
