/**
 * @bulwark/cli: `bulwark audit <url>` and its building blocks, for scripts that run the audit themselves.
 */
export { audit, exitCodeFor } from './audit.js';
export type { AuditHooks, AuditReport } from './audit.js';
export { main } from './cli.js';
export type { Io } from './cli.js';
export { ProbeError, UsageError } from './errors.js';
export type { ProbeErrorCode } from './errors.js';
export { AREAS, parseSeverity, SEVERITIES, severityOf } from './findings.js';
export type { Area, Evidence, Finding, Fix, NotChecked, Rule, Severity } from './findings.js';
export { DEFAULT_OPTIONS, LIMITS } from './options.js';
export type { AuditOptions, WebhookSample } from './options.js';
export { renderJson } from './report/json.js';
export { renderSarif } from './report/sarif.js';
export { renderText } from './report/text.js';
export { ALL_RULES } from './rules.js';
export { VERSION } from './version.js';
