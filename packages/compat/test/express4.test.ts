// The express adapter's conformance suite and its own tests, with every `express` import (the adapter's,
// its raw body parser's and the apps') resolved to express 4 (vitest.config.ts).
import '../../express/test/webhooks.test.js';
import '../../express/test/stacking.test.js';
import { defineAdapterSuite } from '@bulwark/conformance';
import { expect, test } from 'vitest';
import { expressHarness } from '../../express/test/harness.js';
import { loadedVersions } from './loaded.js';

test('the adapter and the apps under test run on express 4, and only on it', () => {
  expect(loadedVersions('express')).toEqual([expect.stringMatching(/^4\./)]);
});

defineAdapterSuite({ ...expressHarness, name: 'express 4' });
