// Load generator, run in its own process so it does not share a CPU time slice with the server's event loop.
// Usage: node bench/e2e/load.mjs '<json: { url, connections, duration, headers, method?, body?, expect?, rate? }>';
// prints one JSON line. Every request of a run is the same (method, headers and body, if any). `rate`: requests
// per second over all connections (autocannon's overallRate), instead of as many as the server answers.
import autocannon from 'autocannon';

const {
  url,
  connections,
  duration,
  headers,
  method = 'GET',
  body,
  expect = '2xx',
  rate,
} = JSON.parse(process.argv[2]);
const result = await autocannon({
  url,
  connections,
  duration,
  headers,
  method,
  ...(body === undefined ? {} : { body }),
  ...(rate === undefined ? {} : { overallRate: rate }),
  pipelining: 1,
});
// Count the responses of the expected class; anything else is reported as unexpected.
const ok = result[expect];
const unexpected = result.non2xx + result['2xx'] - ok;
process.stdout.write(
  `${JSON.stringify({
    rps: ok / (result.duration || duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    ok,
    non2xx: result.non2xx,
    unexpected,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
