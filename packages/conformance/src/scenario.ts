import { describe } from 'vitest';
import type { AdapterHarness } from './harness.js';

/**
 * The groups of the adapter suite, each one `describe` block. A harness may exclude groups that cannot
 * run where it serves the app (an mTLS group on a runtime that hands the handler no client certificate),
 * each with the reason, which the suite prints and the runtime table reports. An excluded group is not
 * registered at all: it neither passes nor shows up as skipped.
 */
export type ScenarioGroup =
  | 'jwt'
  | 'jwt.scopes'
  | 'jwt.revocation'
  | 'jwt.jwks-rotation'
  | 'headers'
  | 'cors'
  | 'oauth'
  | 'ratelimit'
  | 'webhooks'
  | 'webhooks.inputs'
  | 'responses'
  | 'responses.body-limit'
  | 'mtls'
  | 'mtls.rotation'
  | 'dpop';

/** Every group, in suite order. */
export const SCENARIO_GROUPS: readonly ScenarioGroup[] = [
  'jwt',
  'jwt.scopes',
  'jwt.revocation',
  'jwt.jwks-rotation',
  'headers',
  'cors',
  'oauth',
  'ratelimit',
  'webhooks',
  'webhooks.inputs',
  'responses',
  'responses.body-limit',
  'mtls',
  'mtls.rotation',
  'dpop',
];

/**
 * Register one group of scenarios for `harness` unless the harness excludes it.
 *
 * @example
 * scenarioGroup(harness, 'cors', 'CORS', () => { it('…', async () => {}); });
 */
export function scenarioGroup(
  harness: AdapterHarness,
  group: ScenarioGroup,
  title: string,
  body: () => void,
): void {
  if (harness.excludes?.[group] !== undefined) return;
  describe(`${harness.name}: ${title}`, body);
}
