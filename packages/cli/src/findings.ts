/** How bad a finding is. `critical` and `high` are exploitable as found; `info` is context only. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** The check areas, in report order. */
export type Area = 'headers' | 'cors' | 'jwt' | 'ratelimit' | 'webhooks';

export const AREAS: readonly Area[] = ['headers', 'cors', 'jwt', 'ratelimit', 'webhooks'];

export const AREA_TITLES: Readonly<Record<Area, string>> = {
  headers: 'Security headers',
  cors: 'CORS',
  jwt: 'JWT bearer tokens',
  ratelimit: 'Rate limiting',
  webhooks: 'Webhooks',
};

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Higher is worse: `severityRank('critical') > severityRank('high')`. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

/** Parse a `--fail-on` value; undefined for anything that is not a severity (or `none`). */
export function parseSeverity(value: string): Severity | 'none' | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'none') return 'none';
  return (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : undefined;
}

/** One probe's request and response, as excerpts with secrets redacted (see redact.ts). */
export interface Evidence {
  readonly request: string;
  readonly response: string;
}

/** How to fix a finding: with bulwark, and with the framework's usual tools. */
export interface Fix {
  readonly bulwark: string;
  readonly plain: string;
}

/** What a rule is, independent of where it was found: used by every reporter (SARIF lists them). */
export interface Rule {
  readonly id: string;
  readonly area: Area;
  readonly severity: Severity;
  readonly title: string;
  /** Why it matters, one or two sentences. */
  readonly why: string;
  readonly fix: Fix;
  /** The guide that explains the area (a docs/*.md page of this repository). */
  readonly docs: string;
}

/**
 * One problem found on one target. The rule carries the stable parts; `detail` says what was observed.
 *
 * @example
 * const finding: Finding = { rule, target: 'https://api.example.com/orders', detail: 'max-age=300', evidence: [] };
 */
export interface Finding {
  readonly rule: Rule;
  readonly target: string;
  readonly detail: string;
  readonly evidence: readonly Evidence[];
  /** Severity when it differs from the rule's default (e.g. reflection without credentials). */
  readonly severity?: Severity;
}

/** The severity a finding is reported with. */
export function severityOf(finding: Finding): Severity {
  return finding.severity ?? finding.rule.severity;
}

/** Something the audit did not check, and why (a missing flag, a refused token, claims it cannot sign). */
export interface NotChecked {
  readonly area: Area;
  readonly what: string;
  readonly why: string;
}

/**
 * Define a check area's rules once; `id`s are `area.kebab-name` and stable across releases (SARIF rule ids,
 * `--json` consumers and CI baselines key on them).
 *
 * @example
 * const RULES = defineRules('cors', { reflectsAnyOrigin: { id: 'cors.reflects-any-origin', ... } });
 */
export function defineRules<K extends string>(
  area: Area,
  rules: Record<K, Omit<Rule, 'area'>>,
): Readonly<Record<K, Rule>> {
  const out = {} as Record<K, Rule>;
  for (const key of Object.keys(rules) as K[]) {
    const rule = rules[key];
    if (!rule.id.startsWith(`${area}.`)) throw new Error(`rule ${rule.id} is not in area ${area}`);
    out[key] = Object.freeze({ ...rule, area });
  }
  return Object.freeze(out);
}
