import { defineAdapterSuite } from '@bulwark/conformance';
import { honoHarness } from './harness.js';

defineAdapterSuite(honoHarness);
