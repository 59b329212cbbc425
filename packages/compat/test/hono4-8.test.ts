// The Hono adapter's conformance suite and its own tests, with every `hono` import (the adapter's, the
// apps', and @hono/node-server's, which pnpm links to this package's copy) resolved to Hono 4.8.4, the
// lowest version @bulwark/hono's peer range admits (vitest.config.ts).
import '../../hono/test/middleware.test.js';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { defineAdapterSuite } from '@bulwark/conformance';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { expect, test } from 'vitest';
import { honoHarness } from '../../hono/test/harness.js';

test('the adapter and the apps under test run on Hono 4.8.4, and only on it', async () => {
  const root = realpathSync(new URL('../node_modules/hono', import.meta.url));
  expect(root).toMatch(/\/hono@4\.8\.4\//);
  // The very module instances the 4.8.4 files define: the adapter's denials are this HTTPException.
  const file = (path: string) => pathToFileURL(`${root}/dist/${path}`).href;
  expect(Hono).toBe(((await import(file('index.js'))) as { Hono: unknown }).Hono);
  expect(HTTPException).toBe(
    ((await import(file('http-exception.js'))) as { HTTPException: unknown }).HTTPException,
  );
});

defineAdapterSuite({ ...honoHarness, name: 'hono 4.8' });
