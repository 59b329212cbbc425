import type { EVENTS, Reporter } from './observe/reporter.js';

/**
 * The brand every request rule carries: `rule[RULE]` names its kind. Adapters recognise a built rule by
 * it (never by the presence of a method name, which an options object could also have), also across two
 * installed copies of `@bulwark/core` (the symbol is registered).
 *
 * @example
 * if (isRule(source, 'jwt')) source.check(req);
 */
export const RULE: unique symbol = Symbol.for('bulwark.rule');

/** The kinds of request rules. */
export type RuleKind = 'jwt' | 'cors' | 'headers' | 'ratelimit' | 'webhooks' | 'mtls' | 'dpop';

/** Anything branded as a bulwark rule of kind `K`. */
export interface Rule<K extends RuleKind = RuleKind> {
  readonly [RULE]: K;
  /** Where the rule's events go; adapters attach their app's sink to it (`attachEvents`). */
  readonly [EVENTS]?: Reporter;
}

/**
 * True when `value` is a bulwark rule of `kind` (built by the matching `createX`).
 *
 * @example
 * isRule(createCorsPolicy({ origins: ['https://app.example.com'] }), 'cors') // true
 * isRule({ origins: ['https://app.example.com'] }, 'cors') // false: options
 */
export function isRule<K extends RuleKind>(value: unknown, kind: K): value is Rule<K> {
  return (
    typeof value === 'object' && value !== null && (value as Partial<Record<symbol, unknown>>)[RULE] === kind
  );
}

const built: { [K in RuleKind]?: WeakMap<object, unknown> } = {};

/**
 * The rule for `source`: a built rule of `kind` as given, otherwise the rule built from these options, once
 * per options object. Sharing is the default: `requireJwt(jwt)` on five routes builds one verifier (one key
 * cache), and two rate limits given the same options object count in the same buckets. The options are
 * read when the rule is first built; later changes to the object are not seen.
 *
 * @example
 * const verifier = ruleFor(source, 'jwt', createJwtVerifier);
 */
export function ruleFor<O, R extends Rule>(
  source: O | R,
  kind: R[typeof RULE],
  create: (options: O) => R,
): R {
  if (isRule(source, kind)) return source as R;
  if (typeof source !== 'object' || source === null) return create(source as O);
  let memo = built[kind];
  if (memo === undefined) {
    memo = new WeakMap();
    built[kind] = memo;
  }
  let rule = memo.get(source) as R | undefined;
  if (rule === undefined) {
    rule = create(source as O);
    memo.set(source, rule);
  }
  return rule;
}
