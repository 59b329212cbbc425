// Redis rate limiting: bulwark's Redis store (and its limiter on top) vs rate-limiter-flexible's
// RateLimiterRedis on the same server and the same client, sequential and with 100 requests in flight,
// next to `redis-benchmark` running EVALSHA of our own GCRA script as the floor (no client library at all).
// Needs a Redis: REDIS_URL, default redis://127.0.0.1:6379. Keys use a per-run prefix and expire by themselves.
import { execFileSync } from 'node:child_process';
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
  return rows;
}
