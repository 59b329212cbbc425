// One memory measurement in a fresh process. Usage: node --expose-gc bench/memory/child.mjs <variant> <keys>
// Fills a limiter with <keys> distinct client IPs (one request each) and prints the memory it grew by.
const [variant, n] = [process.argv[2], Number(process.argv[3])];
const gc = globalThis.gc;
if (!gc) throw new Error('run with --expose-gc');

function settle() {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage();
}

/** Distinct IPv4 addresses; the string is built per call, as a server gets a fresh one per request. */
const ip = (i) => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

async function build() {
  if (variant === 'bulwark') {
    const { createMemoryRateLimitStore, createRateLimiter } = await import('@bulwark/core');
    // Room for every key: the default store is bounded at 100 000 keys and would drop the rest.
    const store = createMemoryRateLimitStore({ maxEntries: 2 * n + 2 });
    const limiter = createRateLimiter({ rate: { limit: 100, windowMs: 3_600_000 }, store });
    const req = (i) => ({ method: 'GET', url: '/', header: () => undefined, remoteAddress: ip(i) });
    return {
      consume: (i) => limiter.check(req(i)),
      remaining: (v) =>
        v.ok ? Math.min(...v.value.buckets.map((b) => b.result?.remaining ?? b.remaining)) : -1,
      size: () => store.size,
    };
  }
  if (variant === 'rate-limiter-flexible') {
    const { RateLimiterMemory } = await import('rate-limiter-flexible');
    const limiter = new RateLimiterMemory({ points: 100, duration: 3600 });
    return {
      consume: (i) => limiter.consume(ip(i)),
      remaining: (r) => r.remainingPoints,
      size: () => undefined,
    };
  }
  throw new Error(`unknown variant ${variant}`);
}

const limiter = await build();
// Warm the code path on a key outside the measured range, so code and caches are not counted per key.
await limiter.consume(0xffffff);
const before = settle();
const t0 = performance.now();
for (let i = 0; i < n; i++) await limiter.consume(i);
const ms = performance.now() - t0;
const after = settle();
// The first key must still be held: a second request sees one fewer remaining than a fresh key does.
const again = limiter.remaining(await limiter.consume(0));
const fresh = limiter.remaining(await limiter.consume(n + 1));
if (again !== fresh - 1) throw new Error(`${variant}: key 0 was not retained (${again} vs fresh ${fresh})`);
process.stdout.write(
  `${JSON.stringify({
    variant,
    keys: n,
    size: limiter.size(),
    rssPerKey: (after.rss - before.rss) / n,
    heapPerKey: (after.heapUsed - before.heapUsed) / n,
    rssMB: after.rss / 2 ** 20,
    opsPerSec: (n * 1000) / ms,
  })}\n`,
);
process.exit(0);
