import type { Client, ProbeResponse } from '../client.js';
import { excerpt, type Secrets } from '../evidence.js';
import type { Area, Evidence, Finding, NotChecked, Rule, Severity } from '../findings.js';
import type { AuditOptions } from '../options.js';

/** One URL the user named, with the response it gave to a plain GET (redirects to allowed hosts followed). */
export interface Target {
  /** As the user gave it. */
  readonly given: string;
  /** The URL that answered; probes go there. */
  readonly url: URL;
  readonly baseline: ProbeResponse;
}

/**
 * What a check area gets: the bounded client, the targets, the options, and the report sinks.
 *
 * @example
 * export async function checkCors(ctx: CheckContext): Promise<void> { ... ctx.found(RULES.x, url, '…', [ctx.evidence(res)]) }
 */
export interface CheckContext {
  readonly client: Client;
  readonly secrets: Secrets;
  readonly options: AuditOptions;
  readonly targets: readonly Target[];
  found(rule: Rule, target: string, detail: string, evidence: readonly Evidence[], severity?: Severity): void;
  notChecked(area: Area, what: string, why: string): void;
  /** The request/response of a probe as evidence; `withBody` adds the body's start. */
  evidence(res: ProbeResponse, withBody?: boolean): Evidence;
  /** The label the progress line shows for the following requests. */
  phase(label: string): void;
}

/** The sinks an audit collects into; `createContext` wires them. */
export interface Collected {
  readonly findings: Finding[];
  readonly notChecked: NotChecked[];
}

export function createContext(
  base: Omit<CheckContext, 'found' | 'notChecked' | 'evidence'>,
  into: Collected,
): CheckContext {
  return {
    ...base,
    found(rule, target, detail, evidence, severity) {
      into.findings.push({
        rule,
        target,
        detail,
        evidence,
        ...(severity === undefined || severity === rule.severity ? {} : { severity }),
      });
    },
    notChecked(area, what, why) {
      into.notChecked.push({ area, what, why });
    },
    evidence(res, withBody = false) {
      return excerpt(res, base.secrets, { withBody });
    },
  };
}
