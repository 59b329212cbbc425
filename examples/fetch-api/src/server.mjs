import { createServer } from 'node:http';
import { toNodeListener } from '@bulwark/fetch/node';
import { createApp } from './app.mjs';
import { configFromEnv } from '@bulwark-examples/shared/config';

const config = configFromEnv();
const server = createServer(toNodeListener(createApp(config), { maxBodyBytes: 65_536 }));
server.listen(config.port, config.host, () => {
  console.log(`listening on http://${config.host}:${server.address().port}`);
});
