import { defineAdapterSuite } from '@bulwark/conformance';
import { inject } from 'vitest';
import { excludesFor } from './excludes.js';
import { remoteHarness } from './remote.js';

const tools = inject('tools');
const bundles = inject('bundles');

// The Hono app served as `app.fetch` by deno, as deno resolves a published package.
defineAdapterSuite(
  remoteHarness({
    name: 'hono on deno',
    runtime: 'deno',
    bundle: bundles['hono-deno-native.js']!,
    tools,
    excludes: excludesFor('deno', 'native', 'hono'),
  }),
);
