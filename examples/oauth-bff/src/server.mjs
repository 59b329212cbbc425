#!/usr/bin/env node
// Development entry point: BFF on PORT (default 3000), provider and API on free ports.
import { startAll } from './start.mjs';

const running = await startAll({ port: Number(process.env.PORT ?? 3000) });
console.log(`oauth-bff listening on ${running.baseUrl} (provider ${running.issuer}, api ${running.apiUrl})`);
console.log(
  `open ${running.baseUrl}/auth/login?returnTo=/orders (the provider's dev login accepts any name)`,
);
process.on('SIGINT', () => running.close().then(() => process.exit(0)));
