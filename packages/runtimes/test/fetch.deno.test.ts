import { defineAdapterSuite } from '@bulwark/conformance';
import { inject } from 'vitest';
import { excludesFor } from './excludes.js';
import { remoteHarness } from './remote.js';

const tools = inject('tools');
const bundles = inject('bundles');

// The app as Deno resolves a published package (core's node:crypto back end on Deno's node:crypto)...
defineAdapterSuite(
  remoteHarness({
    name: 'fetch on deno',
    runtime: 'deno',
    bundle: bundles['fetch-deno-native.js']!,
    tools,
    excludes: excludesFor('deno', 'native'),
  }),
);
// ...and with the WebCrypto back end.
defineAdapterSuite(
  remoteHarness({
    name: 'fetch on deno (WebCrypto)',
    runtime: 'deno',
    bundle: bundles['fetch-deno-web.js']!,
    tools,
    excludes: excludesFor('deno', 'web'),
  }),
);
