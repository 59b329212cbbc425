// One benchmark server in its own process. Usage: node bench/e2e/server.mjs <framework> <variant>
// Reads the keys and policy from BENCH_E2E (JSON); prints {"port", "included", "missing"} once listening
// on 127.0.0.1, and exits when its stdin closes (so a dead orchestrator never leaves it behind).
import { traceServer } from './otel.mjs';
import { included, missing } from './bulwark-common.mjs';

const [framework, variant] = process.argv.slice(2);
const config = JSON.parse(process.env.BENCH_E2E ?? '{}');
// The deny-path server: one request per hour, so after the first every request is answered 429.
if (variant === 'bulwark-limited') Object.assign(config, { limit: 1, windowMs: 3_600_000 });
const app = await import(`./apps/${framework}.mjs`);
const port = await app.listen(variant, config, traceServer);
process.stdout.write(`${JSON.stringify({ port, included, missing })}\n`);
// process.exit (not a default signal death) lets --cpu-prof write its profile.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
