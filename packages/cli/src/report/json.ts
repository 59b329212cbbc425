import type { AuditReport } from '../audit.js';
import { SEVERITIES, severityOf } from '../findings.js';

/**
 * The machine-readable report: the audit as data, each finding flattened with its rule's id, severity,
 * title, why, fix and guide. Stable field names; secrets are redacted exactly as in the text report.
 *
 * @example
 * const data = JSON.parse(renderJson(report));
 * data.findings.filter((f) => f.severity === 'critical');
 */
export function renderJson(report: AuditReport): string {
  const summary = Object.fromEntries(
    SEVERITIES.map((s) => [s, report.findings.filter((f) => severityOf(f) === s).length]),
  );
  return `${JSON.stringify(
    {
      tool: report.tool,
      startedAt: report.startedAt,
      durationMs: report.durationMs,
      targets: report.targets,
      requests: report.requests,
      maxRequests: report.maxRequests,
      complete: report.warnings.length === 0,
      summary,
      findings: report.findings.map((f) => ({
        id: f.rule.id,
        area: f.rule.area,
        severity: severityOf(f),
        title: f.rule.title,
        target: f.target,
        detail: f.detail,
        why: f.rule.why,
        fix: f.rule.fix,
        docs: f.rule.docs,
        evidence: f.evidence,
      })),
      notChecked: report.notChecked,
      warnings: report.warnings,
    },
    null,
    2,
  )}\n`;
}
