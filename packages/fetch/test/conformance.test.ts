import { defineAdapterSuite } from '@bulwark/conformance';
import { fetchHarness } from './harness.js';

defineAdapterSuite(fetchHarness);
