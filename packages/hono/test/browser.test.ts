import { defineBrowserSuite } from '@bulwark/conformance';
import { honoHarness } from './harness.js';

// CORS and CSP in a real chromium (one browser for this file).
defineBrowserSuite(honoHarness);
