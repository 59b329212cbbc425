import { defineAdapterSuite } from '@bulwark/conformance';
import { nestHarness } from './harness.js';

defineAdapterSuite(nestHarness('express'));
defineAdapterSuite(nestHarness('fastify'));
