// Smoke app: @bulwark/redis as installed from its tarball, behind @bulwark/express: a 3-per-minute
// limit counted in Redis (REDIS_URL, REDIS_PREFIX). Compiled by tsc to ESM and to CommonJS.
import express from 'express';
import { rateLimit, securityHeaders } from '@bulwark/express';
import { storesFromEnv } from '@bulwark/redis';

async function start(): Promise<void> {
  const stores = await storesFromEnv();
  if (stores.backend !== 'redis') throw new Error('REDIS_URL is not set: the smoke test needs Redis');
  const app = express();
  app.use(securityHeaders());
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/limited', rateLimit({ rate: '3/min', store: stores.rateLimit }), (_req, res) => {
    res.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
  });
}
start().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
