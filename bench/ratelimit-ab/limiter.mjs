// A/B of bulwark builds' rate limiter in one process: the synchronous check adapters call for the memory store
// (`synchronousCheck`), allowed and over the limit, and the async `limiter.check`, each with the `rate`
// shorthand (one per-IP bucket) and with two IP buckets, rounds alternated and timed on CPU time (lib/micro.mjs).
// Prints each case's µs per check and, per round, the second build's µs ÷ the first's.
//   node --expose-gc bench/ratelimit-ab/limiter.mjs ROUNDS MS label=/abs/path/to/core/dist …
// A build to compare with: copy packages/core/{package.json,dist} to a folder of its own with a node_modules
// symlink to packages/core/node_modules (so @opentelemetry/api resolves as it does for core).
// CASES=sync,check,429,two picks cases (default all four).
import { med, ratio } from '../jwt-ab/common.mjs';
import { compare } from '../lib/micro.mjs';

const [rounds, ms, ...specs] = process.argv.slice(2);
const only = new Set((process.env.CASES ?? 'sync,check,429,two').split(','));
const LIMIT = 1_000_000_000;
const headers = { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' };
const req = { method: 'GET', url: '/orders', header: (n) => headers[n], remoteAddress: '10.0.0.2' };
const clientIp = { trustedProxies: ['10.0.0.0/8'] };

const builds = [];
for (const s of specs) {
  const [label, dir] = s.split('=');
  const core = await import(`${dir}/index.js`);
  const toolkit = await import(`${dir}/toolkit/index.js`);
  builds.push({ label, core, toolkit });
}
const cases = {};
for (const { label, core, toolkit } of builds) {
  const open = core.createRateLimiter({ rate: { limit: LIMIT, windowMs: 60_000 }, clientIp });
  const shut = core.createRateLimiter({ rate: '1/hour', clientIp });
  const two = core.createRateLimiter({
    buckets: [
      { name: 'burst', rate: { limit: LIMIT, windowMs: 1_000 } },
      { name: 'ip', rate: { limit: LIMIT, windowMs: 60_000 } },
    ],
    clientIp,
  });
  const now = toolkit.synchronousCheck(open);
  const nowShut = toolkit.synchronousCheck(shut);
  const nowTwo = toolkit.synchronousCheck(two);
  nowShut(req);
  if (only.has('sync')) cases[`${label} sync`] = () => now(req);
  if (only.has('check')) cases[`${label} check`] = () => open.check(req);
  if (only.has('429')) cases[`${label} sync 429`] = () => nowShut(req).reply;
  if (only.has('two')) cases[`${label} sync two`] = () => nowTwo(req);
}
process.env.BENCH_ROUNDS = rounds;
process.env.BENCH_ROUND_MS = ms;
const check = (name, r) => {
  if (!(r?.ok === true || r?.status === 429)) throw new Error(`${name}: ${JSON.stringify(r)}`);
};
const rows = await compare('limiter', cases, { clock: 'cpu', check });
const s = Object.fromEntries(rows.map((r) => [r.name, r.samples.map((ops) => 1e6 / ops)]));
console.log(process.version, 'rounds', rounds, 'ms', ms);
for (const [n, v] of Object.entries(s)) console.log(n.padEnd(24), 'median µs', med(v).toFixed(4));
if (builds.length > 1) {
  const [a, b] = builds;
  for (const c of ['sync', 'check', 'sync 429', 'sync two']) {
    if (s[`${a.label} ${c}`] === undefined) continue;
    console.log(`${b.label} ÷ ${a.label} ${c}`.padEnd(32), ratio(s, `${b.label} ${c}`, `${a.label} ${c}`));
  }
}
