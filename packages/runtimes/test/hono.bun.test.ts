import { defineAdapterSuite } from '@bulwark/conformance';
import { inject } from 'vitest';
import { excludesFor } from './excludes.js';
import { remoteHarness } from './remote.js';

const tools = inject('tools');
const bundles = inject('bundles');

// The Hono app served as `app.fetch` by bun, as bun resolves a published package.
defineAdapterSuite(
  remoteHarness({
    name: 'hono on bun',
    runtime: 'bun',
    bundle: bundles['hono-bun-native.js']!,
    tools,
    excludes: excludesFor('bun', 'native', 'hono'),
  }),
);
