import { createApp } from './app.mjs';
import { configFromEnv } from '@bulwark-examples/shared/config';

const config = configFromEnv();
const server = createApp(config).listen(config.port, config.host, () => {
  const { port } = server.address();
  console.log(`listening on http://${config.host}:${port}`);
});
