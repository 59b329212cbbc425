// In-memory rate limiting: bulwark's GCRA memory store against rate-limiter-flexible's RateLimiterMemory and
// express-rate-limit's MemoryStore, on one hot key and across 100k keys; the over-limit path; and the full
// limiter.check (client IP resolution + RateLimit headers) including the 429 rendering.
// Contract: see bench/README.md. Memory per key is measured by bench/memory.mjs (fresh process per run).
import { compare, ensure } from './lib/micro.mjs';

export const title = 'Rate limiting (in-memory)';
export const peers = ['rate-limiter-flexible', 'express-rate-limit'];

const KEYS = 100_000;

export async function run({ smoke }) {
  const core = await import('@bulwark/core');
  if (typeof core.createRateLimiter !== 'function') {
    return { rows: [], notes: ['bulwark has no rate limiter in this build; skipped.'] };
  }
  const { createMemoryRateLimitStore, createRateLimiter } = core;
  const { RateLimiterMemory } = await import('rate-limiter-flexible');
  const { MemoryStore } = await import('express-rate-limit');

  // Limits so high that the allow path never denies during a run: 10^9 per minute.
  const LIMIT = 1_000_000_000;
  const rule = { intervalMs: 60_000 / LIMIT, burst: LIMIT };
  const keys = Array.from({ length: KEYS }, (_, i) => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`);

  // Each group gets fresh stores so one group's keys do not weigh on the next.
  const fresh = () => {
    const bulwark = createMemoryRateLimitStore({ maxEntries: 4 * KEYS });
    const rlf = new RateLimiterMemory({ points: LIMIT, duration: 60 });
    const erl = new MemoryStore();
    erl.init({ windowMs: 60_000 });
    return { bulwark, rlf, erl };
  };
  const stopErl = [];

  const rows = [];
  {
    const s = fresh();
    stopErl.push(s.erl);
    rows.push(
      ...(await compare(
        'consume, one key (allow path)',
        {
          'bulwark memory store': () => s.bulwark.consume('rl|ip|203.0.113.9', rule, 1),
          'rate-limiter-flexible RateLimiterMemory': () => s.rlf.consume('203.0.113.9'),
          'express-rate-limit MemoryStore': () => s.erl.increment('203.0.113.9'),
          // What createRateLimiter calls for this store: the same step without a promise per call.
          'bulwark memory store, sync path (limiter)': () =>
            s.bulwark.consumeAllSync([{ key: 'rl|ip|203.0.113.9', rule, cost: 1 }])[0],
        },
        {
          smoke,
          check: (name, r) =>
            ensure(r.allowed === true || r.remainingPoints > 0 || r.totalHits >= 1, `${name} allowed`),
        },
      )),
    );
  }
  {
    const s = fresh();
    stopErl.push(s.erl);
    let a = 0;
    let b = 0;
    let c = 0;
    rows.push(
      ...(await compare(
        'consume, 100k keys round-robin (allow path)',
        {
          'bulwark memory store': () => s.bulwark.consume(keys[a++ % KEYS], rule, 1),
          'rate-limiter-flexible RateLimiterMemory': () => s.rlf.consume(keys[b++ % KEYS]),
          'express-rate-limit MemoryStore': () => s.erl.increment(keys[c++ % KEYS]),
        },
        {
          smoke,
          check: (name, r) =>
            ensure(r.allowed === true || r.remainingPoints > 0 || r.totalHits >= 1, `${name} allowed`),
        },
      )),
    );
  }
  {
    // One exhausted key: every call is refused. rate-limiter-flexible rejects its promise on denial.
    const bulwark = createMemoryRateLimitStore();
    const tight = { intervalMs: 3_600_000, burst: 1 };
    await bulwark.consume('k', tight, 1);
    const rlf = new RateLimiterMemory({ points: 1, duration: 3600 });
    await rlf.consume('k');
    rows.push(
      ...(await compare(
        'consume over the limit, one exhausted key',
        {
          'bulwark memory store': () => bulwark.consume('k', tight, 1),
          'rate-limiter-flexible RateLimiterMemory': () =>
            rlf.consume('k').then(
              () => ({ allowed: true }),
              (res) => ({ allowed: false, res }),
            ),
        },
        { smoke, check: (name, r) => ensure(r.allowed === false, `${name} refused`) },
      )),
    );
  }
  {
    // The whole rule as an adapter calls it: resolve the client IP (trusted proxy + X-Forwarded-For),
    // GCRA, RateLimit headers; over the limit it also renders the 429 problem body (cached per header set).
    const headers = { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' };
    const req = { method: 'GET', url: '/orders', header: (n) => headers[n], remoteAddress: '10.0.0.2' };
    const clientIp = { trustedProxies: ['10.0.0.0/8'] };
    const open = createRateLimiter({ rate: { limit: LIMIT, windowMs: 60_000 }, clientIp });
    const shut = createRateLimiter({ rate: '1/hour', clientIp });
    await shut.check(req);
    rows.push(
      ...(await compare(
        'limiter.check over the limit (429 + problem body) vs allowed',
        {
          'bulwark 429': async () => {
            const v = await shut.check(req);
            return v.ok ? v : v.reply;
          },
          'bulwark allowed': () => open.check(req),
        },
        {
          smoke,
          check: (name, r) =>
            ensure(
              name === 'bulwark 429'
                ? r.status === 429 && r.headers.some(([n]) => n === 'retry-after')
                : r.ok,
              `${name} result`,
            ),
        },
      )),
    );
  }
  for (const s of stopErl) s.shutdown?.();
  rows.push(...(await http429({ smoke, rateLimit: (await import('@bulwark/express')).rateLimit })));
  return rows;
}

/**
 * The 429 path end to end: an express app whose only client is already over its limit, bulwark's
 * rateLimit() against express-rate-limit (draft-8 headers), load from autocannon in its own process.
 */
async function http429({ smoke, rateLimit }) {
  const { default: express } = await import('express');
  const { rateLimit: erlRateLimit } = await import('express-rate-limit');
  const apps = {
    'bulwark rateLimit 429': rateLimit({ rate: '1/hour' }),
    'express-rate-limit 429': erlRateLimit({
      windowMs: 3_600_000,
      limit: 1,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
    }),
  };
  const servers = {};
  for (const [name, middleware] of Object.entries(apps)) {
    const app = express();
    app.use(middleware);
    app.get('/json', (_req, res) => res.json({ ok: true }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${server.address().port}/json`;
    ensure((await fetch(url)).status === 200, `${name}: first request allowed`);
    const second = await fetch(url);
    ensure(
      second.status === 429 && second.headers.get('retry-after'),
      `${name}: second request is a 429 with Retry-After`,
    );
    servers[name] = { server, url };
  }
  const names = Object.keys(servers);
  const rounds = smoke ? 1 : 3;
  const duration = smoke ? 1 : 3;
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(r + k) % names.length];
        const args = JSON.stringify({ url: servers[name].url, connections: 10, duration, expect: '4xx' });
        const out = await runLoad(args);
        ensure(out.unexpected === 0 && out.ok > 0, `${name}: only 429s under load`);
        samples[name].push(out.rps);
      }
    }
  } finally {
    for (const { server } of Object.values(servers)) {
      server.closeAllConnections();
      server.close();
    }
  }
  return names.map((name) => ({
    group: 'express over the limit: 429 responses/s over HTTP',
    name,
    samples: samples[name],
  }));
}

async function runLoad(args) {
  const { execFile } = await import('node:child_process');
  const load = new URL('./e2e/load.mjs', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [load, args], { timeout: 60_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout));
    });
  });
}
