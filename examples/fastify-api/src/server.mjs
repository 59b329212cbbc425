import { createApp } from './app.mjs';
import { configFromEnv } from '@bulwark-examples/shared/config';

const config = configFromEnv();
const app = await createApp(config);
const url = await app.listen({ port: config.port, host: config.host });
console.log(`listening on ${url}`);
