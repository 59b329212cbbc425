import { defineAdapterSuite } from '@bulwark/conformance';
import { fastifyHarness } from './harness.js';

defineAdapterSuite(fastifyHarness);
