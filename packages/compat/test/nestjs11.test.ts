import { type AdapterHarness, defineAdapterSuite } from '@bulwark/conformance';
import { expect, test } from 'vitest';
import { nestHarness } from '../../nestjs/test/harness.js';
import { loadedVersions } from './loaded.js';

test('the module and the apps under test run on NestJS 11, and only on it', () => {
  for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/platform-fastify'])
    expect({ name, versions: loadedVersions(name) }).toEqual({
      name,
      versions: [expect.stringMatching(/^11\./)],
    });
});

/**
 * NestJS 11's `app.getUrl()` says `http` for a fastify adapter created with `{ https }` (it only looks at
 * NestFactory's `httpsOptions`; 12 asks the server). The server does serve TLS, so the harness's URL is
 * corrected here rather than the scenarios weakened.
 */
function on11(platform: 'express' | 'fastify'): AdapterHarness {
  const harness = nestHarness(platform);
  return {
    name: `nestjs 11 (${platform})`,
    async start(spec) {
      const app = await harness.start(spec);
      return spec.mtls ? { url: app.url.replace(/^http:/, 'https:'), close: app.close } : app;
    },
  };
}

defineAdapterSuite(on11('express'));
defineAdapterSuite(on11('fastify'));
