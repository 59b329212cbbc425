import type { AdapterHarness } from './harness.js';
import { corsScenarios } from './scenarios/cors.js';
import { dpopScenarios } from './scenarios/dpop.js';
import { headersScenarios } from './scenarios/headers.js';
import { jwtScenarios } from './scenarios/jwt.js';
import { mtlsScenarios } from './scenarios/mtls.js';
import { oauthScenarios } from './scenarios/oauth.js';
import { rateLimitScenarios } from './scenarios/ratelimit.js';
import { webhookScenarios } from './scenarios/webhooks.js';
import { responseScenarios } from './scenarios/responses.js';
import { webhookInputScenarios } from './scenarios/webhook-inputs.js';

/**
 * Register every adapter scenario for one adapter. Each adapter calls this from its own tests with a
 * harness that builds the conformance app (see `AppSpec`) over real HTTP on 127.0.0.1:0.
 *
 * @example
 * defineAdapterSuite({ name: 'express', start: startExpressApp });
 */
export function defineAdapterSuite(harness: AdapterHarness): void {
  jwtScenarios(harness);
  headersScenarios(harness);
  corsScenarios(harness);
  oauthScenarios(harness);
  rateLimitScenarios(harness);
  webhookScenarios(harness);
  webhookInputScenarios(harness);
  responseScenarios(harness);
  mtlsScenarios(harness);
  dpopScenarios(harness);
}
