/**
 * Adapters take either a rule's options or the rule already built from them (so several routes can share
 * one rule, and its caches and stores). Pass a built rule through; build one from options otherwise, which
 * validates them at that moment, at startup.
 *
 * @example
 * const verifier = ruleFrom(source, createJwtVerifier, 'verify');
 */
export function ruleFrom<O, R extends object>(source: O | R, create: (options: O) => R, method: keyof R): R {
  return typeof (source as Record<PropertyKey, unknown>)[method] === 'function'
    ? (source as R)
    : create(source as O);
}
