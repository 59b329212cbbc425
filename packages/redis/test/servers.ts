import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (+10000) is free too. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair found');
}

// Servers still running when this process exits (a worker torn down before afterAll ran) are killed with it,
// so no test leaves a redis-server behind.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One redis-server we own: on its own port and temp dir, stoppable and restartable on the same port. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Stall the server (SIGSTOP; resolves once the kernel reports it stopped) until {@link thaw}: it accepts
   * bytes on its connections and answers none. Unlike `CLIENT PAUSE <ms>`, the stall ends when the test says
   * so, not after a time that a descheduled test process can overrun. Linux only (reads /proc).
   */
  freeze(): Promise<void>;
  /** End a {@link freeze} (SIGCONT): the commands sent meanwhile run, in order. */
  thaw(): void;
  /** Stop for good and remove the temp dir. */
  destroy(): Promise<void>;
}

async function waitForPing(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      await sleep(50);
    }
  }
  throw new Error(`redis-server on ${port} did not start`);
}

/**
 * Start a redis-server of our own (never the shared 6379), with persistence off.
 *
 * @example
 * const redis = await startRedis(); await redis.stop(); await redis.start();
 */
export async function startRedis(extra: readonly string[] = []): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-redis-'));
  let child: ChildProcess | undefined;
  const own: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ];
      const started = spawn('redis-server', [...args, ...extra], { stdio: 'ignore' });
      child = started;
      running.add(started);
      started.once('exit', () => running.delete(started));
      await waitForPing(port);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (c === undefined || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
    async freeze() {
      const c = child;
      if (c?.pid === undefined) throw new Error('redis-server is not running');
      c.kill('SIGSTOP');
      // The stopped state ("T" after the command name in /proc/<pid>/stat) before any command is sent.
      for (let i = 0; i < 1000; i++) {
        const stat = await readFile(`/proc/${c.pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
        await sleep(1);
      }
      throw new Error('redis-server did not stop');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async destroy() {
      await own.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}

/** A local Redis Cluster of masters we started, and how to tear it down. */
export interface OwnCluster {
  readonly nodes: readonly { host: string; port: number }[];
  /** The masters, to stop and restart one (it rejoins from its nodes.conf). */
  readonly servers: readonly OwnRedis[];
  destroy(): Promise<void>;
}

/**
 * Start `masters` cluster-enabled redis-servers on free ports and join them with `redis-cli --cluster create`.
 *
 * @example
 * const cluster = await startCluster(3); new Cluster(cluster.nodes); await cluster.destroy();
 */
export async function startCluster(masters = 3): Promise<OwnCluster> {
  const servers: OwnRedis[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(
        await startRedis([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
        ]),
      );
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (let i = 0; i < 100; i++) {
      const infos = await Promise.all(
        servers.map((s) => run('redis-cli', ['-p', String(s.port), 'cluster', 'info']).then((r) => r.stdout)),
      );
      if (infos.every((info) => info.includes('cluster_state:ok'))) break;
      await sleep(100);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.destroy()));
    throw err;
  }
  return {
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    servers,
    async destroy() {
      await Promise.all(servers.map((s) => s.destroy()));
    },
  };
}

/**
 * Start a Redis Sentinel of our own watching `master` under the name `mymaster`.
 *
 * @example
 * const sentinel = await startSentinel(master); new Redis({ sentinels: [sentinel], name: 'mymaster' });
 */
export async function startSentinel(
  master: OwnRedis,
): Promise<{ host: string; port: number; destroy(): Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
      'sentinel down-after-milliseconds mymaster 2000',
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  await waitForPing(port);
  return {
    host: '127.0.0.1',
    port,
    async destroy() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
