// The NestJS module's conformance suite on both platforms and its own tests (startup checks, levels,
// global prefix, limiters, webhooks, the exception filter), with every @nestjs/* import resolved to
// NestJS 11 (vitest.config.ts).
import '../../nestjs/test/stacking.test.js';
import '../../nestjs/test/ratelimit.test.js';
import '../../nestjs/test/prefix.test.js';
import '../../nestjs/test/module.test.js';
import '../../nestjs/test/webhooks.test.js';
import '../../nestjs/test/denied.test.js';
import { defineAdapterSuite } from '@bulwark/conformance';
import { expect, test } from 'vitest';
import { nestHarness } from '../../nestjs/test/harness.js';
import { loadedVersions } from './loaded.js';

test('the module and the apps under test run on NestJS 11, and only on it', () => {
  for (const name of [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/platform-express',
    '@nestjs/platform-fastify',
    '@nestjs/testing',
  ])
    expect({ name, versions: loadedVersions(name) }).toEqual({
      name,
      versions: [expect.stringMatching(/^11\./)],
    });
});

defineAdapterSuite({ ...nestHarness('express'), name: 'nestjs 11 (express)' });
defineAdapterSuite({ ...nestHarness('fastify'), name: 'nestjs 11 (fastify)' });
