// One benchmark server in its own process. Usage: node bench/e2e/server.mjs <framework> <variant>[,<variant>…]
// Reads the keys and policy from BENCH_E2E (JSON); prints {"port", "included", "missing"} once listening
// on 127.0.0.1 (several variants, which only a smoke run asks for: {"servers": {<variant>: {…}}}, each app on
// its own port in this one process), and exits when its stdin closes (so a dead orchestrator never leaves it
// behind).
import { traceServer } from './otel.mjs';
import { included, missing } from './bulwark-common.mjs';

const [framework, variantList] = process.argv.slice(2);
const variants = variantList.split(',');
const config = JSON.parse(process.env.BENCH_E2E ?? '{}');
const app = await import(`./apps/${framework}.mjs`);
const servers = {};
for (const variant of variants) {
  // The deny-path server: one request per hour, so after the first every request is answered 429.
  const c = variant === 'bulwark-limited' ? { ...config, limit: 1, windowMs: 3_600_000 } : config;
  const before = [included.length, missing.length];
  const port = await app.listen(variant, c, traceServer);
  servers[variant] = { port, included: included.slice(before[0]), missing: missing.slice(before[1]) };
}
const started = variants.length === 1 ? servers[variants[0]] : { servers };
process.stdout.write(`${JSON.stringify(started)}\n`);
// process.exit (not a default signal death) lets --cpu-prof write its profile.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
