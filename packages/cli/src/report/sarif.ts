import { createHash } from 'node:crypto';
import type { AuditReport } from '../audit.js';
import { type Severity, severityOf } from '../findings.js';
import { ALL_RULES } from '../rules.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

// GitHub code scanning ranks security alerts by this CVSS-like score (critical ≥ 9, high ≥ 7, medium ≥ 4).
const SCORE: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

// Probes use random names (origins, headers) so no cache answers them; fingerprints must not change per run.
const stable = (detail: string) => detail.replace(/bulwark-?audit-?[a-z0-9]*/gi, 'bulwark-audit');

const pascal = (id: string) =>
  id
    .split(/[.-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/**
 * A SARIF 2.1.0 log for CI code scanning (GitHub, GitLab, Azure DevOps): every rule the audit knows with its
 * help text, one result per finding located at the audited URL, a stable fingerprint per rule + URL +
 * observation so re-runs update the same alert, and the run marked unsuccessful when probes did not finish.
 *
 * @example
 * writeFileSync('bulwark-audit.sarif', renderSarif(report)); // then upload with github/codeql-action/upload-sarif
 */
export function renderSarif(report: AuditReport): string {
  const index = new Map(ALL_RULES.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bulwark-audit',
            semanticVersion: report.tool.version,
            informationUri: 'https://www.npmjs.com/package/@bulwark/cli',
            rules: ALL_RULES.map((r) => ({
              id: r.id,
              name: pascal(r.id),
              shortDescription: { text: r.title },
              fullDescription: { text: r.why },
              help: {
                text: `${r.why}\nFix with bulwark: ${r.fix.bulwark}\nFix without: ${r.fix.plain}\nGuide: ${r.docs}`,
                markdown: `${r.why}\n\n**Fix with bulwark**\n\n\`\`\`ts\n${r.fix.bulwark}\n\`\`\`\n\n**Fix without**\n\n\`\`\`ts\n${r.fix.plain}\n\`\`\`\n\nGuide: \`${r.docs}\``,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: ['security', r.area],
                precision: 'high',
                'security-severity': SCORE[r.severity],
              },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: report.warnings.length === 0,
            startTimeUtc: report.startedAt,
            toolExecutionNotifications: report.warnings.map((w) => ({
              level: 'warning',
              message: { text: w },
            })),
          },
        ],
        results: report.findings.map((f) => {
          const severity = severityOf(f);
          return {
            ruleId: f.rule.id,
            ruleIndex: index.get(f.rule.id) ?? 0,
            level: LEVEL[severity],
            message: { text: `${f.rule.title}: ${f.detail}` },
            locations: [{ physicalLocation: { artifactLocation: { uri: f.target } } }],
            partialFingerprints: {
              'bulwarkAudit/v1': createHash('sha256')
                .update(`${f.rule.id}\n${f.target}\n${stable(f.detail)}`)
                .digest('hex')
                .slice(0, 32),
            },
            properties: {
              severity,
              'security-severity': SCORE[severity],
              evidence: f.evidence,
            },
          };
        }),
        properties: { notChecked: report.notChecked },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
