// Memory of the in-memory rate limiters after 1M distinct keys, each run in a fresh child process.
// Contract: see bench/README.md.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const title = 'Memory: in-memory rate limiter after 1M distinct keys';
export const peers = ['rate-limiter-flexible'];

const child = join(dirname(fileURLToPath(import.meta.url)), 'memory', 'child.mjs');
const VARIANTS = ['bulwark', 'rate-limiter-flexible'];

function measure(variant, keys) {
  const out = execFileSync(process.execPath, ['--expose-gc', child, variant, String(keys)], {
    encoding: 'utf8',
    timeout: 120_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out);
}

export async function run({ smoke }) {
  const core = await import('@bulwark/core');
  if (typeof core.createRateLimiter !== 'function' || typeof core.createMemoryRateLimitStore !== 'function') {
    return {
      rows: [],
      notes: ['bulwark has no rate limiter yet (createRateLimiter is not exported); skipped.'],
    };
  }
  const keys = smoke ? 50_000 : 1_000_000;
  const runs = smoke ? 1 : 3;
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let r = 0; r < runs; r++) {
    // Alternate which limiter goes first, so machine drift does not favour one.
    const order = r % 2 ? [...VARIANTS].reverse() : VARIANTS;
    for (const v of order) {
      const m = measure(v, keys);
      samples[v].push(m);
      console.log(`  ${v}: ${m.rssPerKey.toFixed(0)} B/key RSS, ${m.heapPerKey.toFixed(0)} B/key heap`);
    }
  }
  const label = (v) =>
    v === 'bulwark' ? 'bulwark createRateLimiter (memory store)' : 'rate-limiter-flexible RateLimiterMemory';
  const rows = [];
  const metrics = [
    [
      'rss',
      `RSS growth per key after ${keys.toLocaleString('en')} distinct keys`,
      'bytes/key',
      true,
      'rssPerKey',
    ],
    [
      'heap',
      `JS heap growth per key after ${keys.toLocaleString('en')} distinct keys`,
      'bytes/key',
      true,
      'heapPerKey',
    ],
    ['rssTotal', `process RSS after ${keys.toLocaleString('en')} distinct keys`, 'MiB', true, 'rssMB'],
    ['insert', `requests/s while filling (every request a new key)`, 'ops/s', false, 'opsPerSec'],
  ];
  for (const [metric, group, unit, lowerIsBetter, field] of metrics) {
    for (const v of VARIANTS) {
      rows.push({
        group,
        name: label(v),
        variant: v,
        metric,
        unit,
        lowerIsBetter,
        samples: samples[v].map((m) => m[field]),
      });
    }
  }
  return {
    rows,
    notes: [
      `${runs} run(s) per limiter, each in a fresh \`node --expose-gc\` process, order alternated; memory read` +
        ' after four forced GCs before and after the fill; limit 100/hour per IP (so no bucket refills during the fill and the retention check is exact), one request per IP.',
      "bulwark's store is given room for every key (maxEntries 2M); its default bound of 100 000 keys would" +
        ' drop the idle half instead of growing, which is how it stays bounded under a flood of new addresses.',
    ],
  };
}
