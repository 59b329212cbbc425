import {
  createMemoryRateLimitStore,
  createMemoryReplayStore,
  createMemoryRevocationStore,
  fromEnv,
} from '@bulwark/hono';
import { configFromEnv } from '@bulwark-examples/shared/config';
import { createApp } from './app.mjs';

// Cloudflare Workers: the same app, built from env (vars and secrets) once per isolate; Hono still hands
// the middleware env as c.env. The client address is the cf-connecting-ip Cloudflare's edge writes; the
// memory stores count per isolate (bulwark warns at startup): for limits shared by every isolate, pass
// stores backed by a Durable Object.
export default fromEnv(
  (env) =>
    createApp({
      ...configFromEnv(env),
      platform: 'cloudflare',
      stores: {
        rateLimit: createMemoryRateLimitStore(),
        replay: createMemoryReplayStore(),
        revocation: createMemoryRevocationStore(),
      },
    }).fetch,
);
