import { defineAdapterSuite } from '@bulwark/conformance';
import { expect, test } from 'vitest';
import { expressHarness } from '../../express/test/harness.js';
import { loadedVersions } from './loaded.js';

test('the adapter and the app under test run on express 4, and only on it', () => {
  expect(loadedVersions('express')).toEqual([expect.stringMatching(/^4\./)]);
});

defineAdapterSuite({ ...expressHarness, name: 'express 4' });
