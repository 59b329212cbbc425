// Redis rate limiting: bulwark's Redis store (and its limiter on top) vs rate-limiter-flexible's
// RateLimiterRedis on the same server and the same client, sequential and with 100 requests in flight,
// next to `redis-benchmark` running EVALSHA of our own GCRA script as the floor (no client library at all).
// Needs a Redis: REDIS_URL, default redis://127.0.0.1:6379. Keys use a per-run prefix and expire by themselves.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRateLimiter } from '@bulwark/core';
import { createRedisRateLimitStore, REDIS_CLIENT_OPTIONS } from '@bulwark/redis';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { ensure, settings } from './lib/micro.mjs';

export const title = 'Redis rate limiting';
export const peers = ['rate-limiter-flexible', 'ioredis'];

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Keep `inFlight` calls running for `ms`; ops/s. A new call starts as soon as one finishes. */
async function timed(fn, inFlight, ms) {
  let ops = 0;
  const start = now();
  const end = start + ms;
  const lane = async () => {
    while (now() < end) {
      await fn();
      ops++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return (ops * 1000) / (now() - start);
}

/** The floor: redis-benchmark sending EVALSHA of the same script with `clients` connections. */
function redisBenchmark(sha, key, clients, requests) {
  const args = ['-h', url.hostname, '-p', url.port || '6379', '-c', String(clients), '-n', String(requests)];
  if (url.password) args.push('-a', decodeURIComponent(url.password));
  const out = execFileSync(
    'redis-benchmark',
    [...args, '--csv', 'EVALSHA', sha, '1', key, '600', '1000000000', '1'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  // CSV: "test","rps",... ; the second field of the data line is requests per second.
  const line = out.trim().split('\n').at(-1);
  return Number(JSON.parse(`[${line}]`)[1]);
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Cost per call, which a busy machine distorts far less than throughput: client CPU (process.cpuUsage) and
 * Redis time inside EVALSHA (INFO commandstats), on a redis-server of our own so no other client's calls
 * are counted. 100 calls in flight, `calls` per sample.
 */
async function costPerCall(rounds, calls) {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const client = new Redis({ port, ...REDIS_CLIENT_OPTIONS, lazyConnect: true, retryStrategy: () => 50 });
  for (let i = 0; i < 100; i++) {
    try {
      await client.connect();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const store = createRedisRateLimitStore({ client, prefix: 'bwcost' });
  const rule = { intervalMs: 0.06, burst: 1_000_000_000 };
  const flexible = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: 'bwcost:rlflx',
    points: 1e9,
    duration: 60,
  });
  const cases = {
    'bulwark Redis store (consume)': () => store.consume('k', rule, 1),
    'rate-limiter-flexible RateLimiterRedis': () => flexible.consume('k'),
  };
  const client_ = Object.fromEntries(Object.keys(cases).map((n) => [n, []]));
  const server_ = Object.fromEntries(Object.keys(cases).map((n) => [n, []]));
  try {
    for (const fn of Object.values(cases)) await fn(); // scripts loaded before measuring
    const names = Object.keys(cases);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(r + k) % names.length];
        await client.config('RESETSTAT');
        let started = 0;
        const lane = async () => {
          while (started < calls) {
            started++;
            await cases[name]();
          }
        };
        const cpu = process.cpuUsage();
        await Promise.all(Array.from({ length: 100 }, lane));
        const used = process.cpuUsage(cpu);
        client_[name].push((used.user + used.system) / calls);
        const stats = await client.info('commandstats');
        server_[name].push(
          Number(/cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(stats)?.[1]),
        );
      }
    }
  } finally {
    client.disconnect();
    server.kill('SIGKILL');
  }
  const rows = [];
  for (const [group, data] of [
    ['Redis rate limit cost per call: client CPU, 100 in flight (lower is better)', client_],
    ['Redis rate limit cost per call: time inside Redis (EVALSHA), 100 in flight (lower is better)', server_],
  ]) {
    for (const [name, samples] of Object.entries(data))
      rows.push({ group, name, samples, unit: 'µs', lowerIsBetter: true });
  }
  return rows;
}

export async function run({ smoke }) {
  const { rounds, roundMs, warmupMs } = settings(smoke);
  const client = new Redis(url.toString(), { ...REDIS_CLIENT_OPTIONS, lazyConnect: true });
  await client.connect();
  const prefix = `bwbench:${process.pid}`;
  const rule = { intervalMs: 0.06, burst: 1_000_000_000 }; // never denies: this measures the allow path
  const store = createRedisRateLimitStore({ client, prefix });
  const limiter = createRateLimiter({
    name: 'bench',
    rate: '1000000000/min',
    store,
    storeTimeoutMs: 2_000,
  });
  const req = { method: 'GET', url: '/bench', header: () => undefined, remoteAddress: '203.0.113.7' };
  const flexible = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: `${prefix}:rlflx`,
    points: 1_000_000_000,
    duration: 60,
  });

  // Capture the SHA our store sends, so the floor runs exactly our script.
  let sha;
  const evalsha = client.evalsha;
  client.evalsha = function (...args) {
    sha ??= args[0];
    return evalsha.apply(this, args);
  };
  const cases = {
    'bulwark Redis store (consume)': () => store.consume('bench-key', rule, 1),
    'bulwark limiter + Redis store (check)': () => limiter.check(req),
    'rate-limiter-flexible RateLimiterRedis': () => flexible.consume('bench-key'),
  };
  for (const [name, fn] of Object.entries(cases)) {
    const first = await fn();
    if (name.startsWith('bulwark limiter')) ensure(first.ok === true, `${name} allowed`);
    else if (name.startsWith('bulwark')) ensure(first.allowed === true, `${name} allowed`);
    else ensure(first.remainingPoints >= 0, `${name} allowed`);
  }
  client.evalsha = evalsha;
  ensure(typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha), 'captured the script SHA');
  const floorKey = `{${prefix}:rl}:floor`;

  const rows = [];
  for (const [label, inFlight, clients] of [
    ['sequential (1 in flight)', 1, 1],
    ['100 in flight', 100, 100],
  ]) {
    const group = `Redis rate limit allow path, ${label}`;
    const names = [
      ...Object.keys(cases),
      `redis-benchmark EVALSHA floor (${clients} connection${clients > 1 ? 's' : ''})`,
    ];
    const samples = Object.fromEntries(names.map((n) => [n, []]));
    for (const fn of Object.values(cases)) await timed(fn, inFlight, warmupMs);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(r + k) % names.length];
        globalThis.gc?.();
        if (name.startsWith('redis-benchmark')) {
          const requests = Math.max(2_000, Math.round((clients === 1 ? 15_000 : 40_000) * (roundMs / 1000)));
          samples[name].push(redisBenchmark(sha, floorKey, clients, requests));
        } else {
          samples[name].push(await timed(cases[name], inFlight, roundMs));
        }
      }
    }
    for (const name of names) rows.push({ group, name, samples: samples[name] });
  }
  const keys = await client.keys(`*${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
  rows.push(...(await costPerCall(rounds, smoke ? 2_000 : 20_000)));
  return rows;
}
