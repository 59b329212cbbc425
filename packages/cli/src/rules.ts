import { CORS_RULES } from './checks/cors-rules.js';
import { HEADER_RULES } from './checks/headers-rules.js';
import { JWT_RULES } from './checks/jwt-rules.js';
import { RATELIMIT_RULES } from './checks/ratelimit.js';
import { WEBHOOK_RULES } from './checks/webhooks.js';
import type { Rule } from './findings.js';

/**
 * Every rule the audit can report, in area order: what SARIF lists as the tool's rules and what the docs
 * table is checked against.
 *
 * @example
 * ALL_RULES.find((r) => r.id === 'cors.reflects-any-origin')?.severity // 'critical'
 */
export const ALL_RULES: readonly Rule[] = [
  ...Object.values(HEADER_RULES),
  ...Object.values(CORS_RULES),
  ...Object.values(JWT_RULES),
  ...Object.values(RATELIMIT_RULES),
  ...Object.values(WEBHOOK_RULES),
];
