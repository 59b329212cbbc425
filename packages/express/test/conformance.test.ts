import { defineAdapterSuite } from '@bulwark/conformance';
import { expressHarness } from './harness.js';

defineAdapterSuite(expressHarness);
