import { defineBrowserSuite } from '@bulwark/conformance';
import { nestHarness } from './harness.js';

// CORS and CSP in a real chromium (one browser for this file).
defineBrowserSuite(nestHarness('fastify'));
