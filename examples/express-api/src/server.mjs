import { storesFromEnv } from '@bulwark/redis';
import { createApp } from './app.mjs';
import { configFromEnv } from '@bulwark-examples/shared/config';

// Memory stores by default; with REDIS_URL every instance shares rate limits, replay claims and revocations.
const config = { ...configFromEnv(), stores: await storesFromEnv() };
const server = createApp(config).listen(config.port, config.host, () => {
  const { port } = server.address();
  console.log(`listening on http://${config.host}:${port}`);
});
