// Instructions per limiter check, for callgrind: warms the check, then runs it N times between two calls of
// process.cpuUsage(), so that callgrind dumping before each uv_getrusage puts exactly the N checks in part 2:
//   valgrind --tool=callgrind --dump-before=uv_getrusage --callgrind-out-file=/tmp/cg.out \
//     node --single-threaded bench/ratelimit-ab/callgrind.mjs DIR CASE N
//   then (the `summary:` line of /tmp/cg.out.2) ÷ N. --single-threaded keeps V8's compilers on this thread,
//   so when optimised code arrives does not depend on thread scheduling.
// DIR: a core build's dist (absolute); CASE: sync | sync-429 | sync-two | check | sync-otel-sdk.
const [dir, kind, countArg] = process.argv.slice(2);
const count = Number(countArg);
const headers = { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' };
const req = { method: 'GET', url: '/orders', header: (n) => headers[n], remoteAddress: '10.0.0.2' };
const clientIp = { trustedProxies: ['10.0.0.0/8'] };
const LIMIT = 1_000_000_000;
const core = await import(`${dir}/index.js`);
const { synchronousCheck } = await import(`${dir}/toolkit/index.js`);
await core.telemetryReady();
const options =
  kind === 'sync-two'
    ? {
        buckets: [
          { name: 'burst', rate: { limit: LIMIT, windowMs: 1_000 } },
          { name: 'ip', rate: { limit: LIMIT, windowMs: 60_000 } },
        ],
      }
    : { rate: kind === 'sync-429' ? '1/hour' : { limit: LIMIT, windowMs: 60_000 } };
const limiter = core.createRateLimiter({ ...options, clientIp });
const now = synchronousCheck(limiter);
let sink;
if (kind === 'check') {
  for (let i = 0; i < 20_000; i++) sink = await limiter.check(req);
  process.cpuUsage();
  for (let i = 0; i < count; i++) sink = await limiter.check(req);
  process.cpuUsage();
} else {
  for (let i = 0; i < 20_000; i++) sink = now(req);
  process.cpuUsage();
  for (let i = 0; i < count; i++) sink = now(req);
  process.cpuUsage();
}
if (!(sink.ok || sink.error?.status === 429)) throw new Error(JSON.stringify(sink));
