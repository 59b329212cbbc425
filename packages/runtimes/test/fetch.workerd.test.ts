import { defineAdapterSuite } from '@bulwark/conformance';
import { inject } from 'vitest';
import { adaptForWorkers, excludesFor } from './excludes.js';
import { remoteHarness } from './remote.js';

const tools = inject('tools');
const bundles = inject('bundles');

// workerd through miniflare, as `wrangler dev` runs a Worker: WebCrypto, no nodejs_compat.
defineAdapterSuite(
  remoteHarness({
    name: 'fetch on workerd',
    runtime: 'workerd',
    bundle: bundles['fetch-workerd-web.js']!,
    tools,
    excludes: excludesFor('workerd', 'web'),
    adapt: adaptForWorkers,
  }),
);
