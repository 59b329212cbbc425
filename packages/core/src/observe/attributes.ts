import type { RuleKind } from '../rule.js';
import type { Verdict } from '../verdict.js';
import type { Operation, Outcome } from './telemetry.js';

/** Attributes of a metric point or a span, as the OpenTelemetry API takes them. */
export type Attributes = Readonly<Record<string, string>>;

/** The attributes of one kind of decision: on the metric points, and on the active span. */
export interface DecisionAttributes {
  readonly metric: Attributes;
  readonly span: Attributes;
}

function attributeSet(rule: RuleKind, outcome: Outcome, code: string | undefined): DecisionAttributes {
  const metric: Record<string, string> = { 'bulwark.rule': rule, 'bulwark.outcome': outcome };
  const span: Record<string, string> = { [`bulwark.${rule}.outcome`]: outcome };
  if (code !== undefined) {
    metric['bulwark.code'] = code;
    span['bulwark.code'] = code;
    span['bulwark.rule'] = rule;
  }
  return { metric: Object.freeze(metric), span: Object.freeze(span) };
}

/**
 * The frozen attribute sets of one rule: the two without a code built with the rule, one per code (bulwark's
 * own, so bounded) for denials and degraded decisions on first use. Nothing is built per decision.
 */
export class AttributeTable {
  readonly allowed: DecisionAttributes;
  readonly answered: DecisionAttributes;
  private readonly denied = new Map<string, DecisionAttributes>();
  private readonly degraded = new Map<string, DecisionAttributes>();

  constructor(private readonly rule: RuleKind) {
    this.allowed = attributeSet(rule, 'allowed', undefined);
    this.answered = attributeSet(rule, 'answered', undefined);
  }

  of(verdict: Verdict<unknown>): DecisionAttributes {
    const code = verdict.ok ? verdict.degraded?.code : verdict.error?.code;
    if (code === undefined) return verdict.ok ? this.allowed : this.answered;
    const outcome: Outcome = verdict.ok ? 'degraded' : 'denied';
    const byCode = verdict.ok ? this.degraded : this.denied;
    let found = byCode.get(code);
    if (found === undefined) {
      found = attributeSet(this.rule, outcome, code);
      byCode.set(code, found);
    }
    return found;
  }
}

// One table per rule kind, shared by every rule of that kind.
const tables = new Map<RuleKind, AttributeTable>();

export function tableOf(rule: RuleKind): AttributeTable {
  let table = tables.get(rule);
  if (table === undefined) {
    table = new AttributeTable(rule);
    tables.set(rule, table);
  }
  return table;
}

const operationCache = new Map<string, Attributes>();

/** The attributes of a timed operation, one frozen set per operation and error type. */
export function operationAttributes(
  operation: Operation,
  errorType: 'timeout' | 'error' | undefined,
): Attributes {
  const key = `${operation}|${errorType ?? ''}`;
  let found = operationCache.get(key);
  if (found === undefined) {
    found = Object.freeze(
      errorType === undefined
        ? { 'bulwark.operation': operation }
        : { 'bulwark.operation': operation, 'error.type': errorType },
    );
    operationCache.set(key, found);
  }
  return found;
}
