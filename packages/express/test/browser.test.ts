import { defineBrowserSuite } from '@bulwark/conformance';
import { expressHarness } from './harness.js';

// CORS and CSP in a real chromium (one browser for this file).
defineBrowserSuite(expressHarness);
