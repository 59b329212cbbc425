import { defineAdapterSuite } from '@bulwark/conformance';
import { inject } from 'vitest';
import { adaptForWorkers, excludesFor } from './excludes.js';
import { remoteHarness } from './remote.js';

const tools = inject('tools');
const bundles = inject('bundles');

// The Hono app on workerd through miniflare: WebCrypto, no nodejs_compat; Hono hands the middleware the
// Worker's env as c.env, so the client address is the platform's cf-connecting-ip.
defineAdapterSuite(
  remoteHarness({
    name: 'hono on workerd',
    runtime: 'workerd',
    bundle: bundles['hono-workerd-web.js']!,
    tools,
    excludes: excludesFor('workerd', 'web', 'hono'),
    adapt: adaptForWorkers,
  }),
);
