// Load generator, run in its own process so it does not share a CPU time slice with the server's event loop.
// Usage: node bench/e2e/load.mjs '<json: { url, connections, duration, headers }>'; prints one JSON line.
import autocannon from 'autocannon';

const { url, connections, duration, headers } = JSON.parse(process.argv[2]);
const result = await autocannon({ url, connections, duration, headers, pipelining: 1 });
const ok = result['2xx'];
process.stdout.write(
  `${JSON.stringify({
    rps: ok / (result.duration || duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
