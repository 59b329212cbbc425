import { createServer } from 'node:http';
import { toNodeListener } from '@bulwark/fetch/node';
import { storesFromEnv } from '@bulwark/redis';
import { createApp } from './app.mjs';
import { configFromEnv } from '@bulwark-examples/shared/config';

// Memory stores by default; with REDIS_URL every instance shares rate limits, replay claims and revocations.
const config = { ...configFromEnv(), stores: await storesFromEnv() };
const server = createServer(toNodeListener(createApp(config), { maxBodyBytes: 65_536 }));
server.listen(config.port, config.host, () => {
  console.log(`listening on http://${config.host}:${server.address().port}`);
});
