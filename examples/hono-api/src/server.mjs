import { serve } from '@hono/node-server';
import { storesFromEnv } from '@bulwark/redis';
import { configFromEnv } from '@bulwark-examples/shared/config';
import { createApp } from './app.mjs';

// Memory stores by default; with REDIS_URL every instance shares rate limits, replay claims and revocations.
// @hono/node-server hands the app the node socket as c.env, where rateLimit() reads the client address.
const config = { ...configFromEnv(), stores: await storesFromEnv() };
serve({ fetch: createApp(config).fetch, hostname: config.host, port: config.port }, (info) => {
  console.log(`listening on http://${config.host}:${info.port}`);
});
