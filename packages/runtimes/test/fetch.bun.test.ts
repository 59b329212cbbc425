import { defineAdapterSuite } from '@bulwark/conformance';
import { inject } from 'vitest';
import { excludesFor } from './excludes.js';
import { remoteHarness } from './remote.js';

const tools = inject('tools');
const bundles = inject('bundles');

// The app as Bun resolves a published package (core's node:crypto back end on Bun's node:crypto)...
defineAdapterSuite(
  remoteHarness({
    name: 'fetch on bun',
    runtime: 'bun',
    bundle: bundles['fetch-bun-native.js']!,
    tools,
    excludes: excludesFor('bun', 'native'),
  }),
);
// ...and with the WebCrypto back end.
defineAdapterSuite(
  remoteHarness({
    name: 'fetch on bun (WebCrypto)',
    runtime: 'bun',
    bundle: bundles['fetch-bun-web.js']!,
    tools,
    excludes: excludesFor('bun', 'web'),
  }),
);
