import type { AuditReport } from '../audit.js';
import {
  AREA_TITLES,
  AREAS,
  type Area,
  type Finding,
  SEVERITIES,
  type Severity,
  severityOf,
} from '../findings.js';

const COLORS: Record<Severity, string> = {
  critical: '\x1b[1;37;41m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
};
const RESET = '\x1b[0m';

// The response lines that matter for each area; the full excerpt is in --json.
const RELEVANT: Record<Area, RegExp> = {
  headers:
    /^(strict-transport-security|content-security-policy|x-frame-options|x-content-type-options|referrer-policy|permissions-policy|feature-policy|x-powered-by|server|cache-control|x-aspnet)/,
  cors: /^(access-control-|vary)/,
  jwt: /^(www-authenticate|content-type|location)/,
  ratelimit: /^(retry-after|ratelimit|x-ratelimit|x-rate-limit)/,
  webhooks: /^(content-type)/,
};

/** Findings with the same rule and observation on several URLs are shown once, with every URL. */
interface Group {
  readonly finding: Finding;
  readonly targets: string[];
}

function groups(findings: readonly Finding[]): Group[] {
  const out = new Map<string, Group>();
  for (const f of findings) {
    const key = `${f.rule.id}\u0000${severityOf(f)}\u0000${f.detail}`;
    const g = out.get(key);
    if (g === undefined) out.set(key, { finding: f, targets: [f.target] });
    else if (!g.targets.includes(f.target)) g.targets.push(f.target);
  }
  return [...out.values()];
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
}

function responseLines(area: Area, response: string): string {
  const lines = response.split('\n');
  const blank = lines.indexOf('');
  const headerLines = (blank === -1 ? lines.slice(1) : lines.slice(1, blank)).filter((l) =>
    RELEVANT[area].test(l),
  );
  const body = blank === -1 ? [] : lines.slice(blank + 1, blank + 4);
  const shown = [lines[0]!, ...headerLines];
  if (headerLines.length === 0 && area === 'headers') shown.push('(none of the security headers)');
  if (body.length > 0 && area !== 'headers' && area !== 'cors') shown.push('', ...body);
  return shown.join('\n');
}

/**
 * The terminal report: targets, then each area's findings (most severe first) with what was observed,
 * the evidence request/response, and the fix with bulwark and without; then what was not checked, warnings
 * and a summary line. `color` adds ANSI colours to severities.
 *
 * @example
 * process.stdout.write(renderText(report, { color: process.stdout.isTTY === true, failOn: 'high' }));
 */
export function renderText(
  report: AuditReport,
  opts: { color?: boolean; failOn?: Severity | 'none' } = {},
): string {
  const paint = (s: Severity, text: string) => (opts.color ? `${COLORS[s]}${text}${RESET}` : text);
  const out: string[] = [];
  const secs = (report.durationMs / 1000).toFixed(1);
  out.push(
    `bulwark audit ${report.tool.version}: ${report.targets.length} URL(s), ${report.requests} requests, ${secs} s`,
  );
  for (const t of report.targets) {
    out.push(`  ${t.given}${t.url !== t.given ? ` → ${t.url}` : ''}  (${t.status})`);
  }
  for (const area of AREAS) {
    const inArea = report.findings.filter((f) => f.rule.area === area);
    if (inArea.length === 0) continue;
    const grouped = groups(inArea);
    out.push('', `${AREA_TITLES[area]} (${grouped.length})`, '');
    for (const { finding: f, targets } of grouped) {
      const sev = severityOf(f);
      out.push(`  ${paint(sev, sev.toUpperCase().padEnd(9))} ${f.rule.title}  [${f.rule.id}]`);
      out.push(`           at: ${targets.join(', ')}`);
      out.push(indent(`found: ${f.detail}`, '           '));
      out.push(indent(`why: ${f.rule.why}`, '           '));
      const ev = f.evidence[0];
      if (ev !== undefined) {
        out.push('           evidence:');
        out.push(indent(ev.request, '             > '));
        out.push(indent(responseLines(area, ev.response), '             < '));
      }
      out.push(`           fix with bulwark: ${f.rule.fix.bulwark}`);
      out.push(`           fix without:      ${f.rule.fix.plain}`);
      out.push(`           guide: ${f.rule.docs}`, '');
    }
  }
  if (report.findings.length === 0) out.push('', 'No findings.');
  if (report.notChecked.length > 0) {
    out.push('', 'Not checked', '');
    for (const n of report.notChecked) out.push(`  - ${AREA_TITLES[n.area]}: ${n.what}: ${n.why}`);
  }
  if (report.warnings.length > 0) {
    out.push('', 'Incomplete: these probes did not finish', '');
    for (const w of report.warnings) out.push(`  ! ${w}`);
  }
  const counts = SEVERITIES.map(
    (s) => [s, report.findings.filter((f) => severityOf(f) === s).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  out.push(
    '',
    `Summary: ${counts.length === 0 ? 'no findings' : counts.join(', ')}${opts.failOn && opts.failOn !== 'none' ? ` (fails on ${opts.failOn} and above)` : ''}`,
  );
  return `${out.join('\n')}\n`;
}
