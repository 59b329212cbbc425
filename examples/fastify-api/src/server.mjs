import { storesFromEnv } from '@bulwark/redis';
import { createApp } from './app.mjs';
import { configFromEnv } from '@bulwark-examples/shared/config';

// Memory stores by default; with REDIS_URL every instance shares rate limits, replay claims and revocations.
const config = { ...configFromEnv(), stores: await storesFromEnv() };
const app = await createApp(config);
const url = await app.listen({ port: config.port, host: config.host });
console.log(`listening on ${url}`);
