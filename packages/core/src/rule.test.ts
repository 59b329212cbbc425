import { describe, expect, it } from 'vitest';
import { isRule, RULE, type Rule, ruleFor } from './rule.js';

interface Options {
  limit: number;
}
interface Limit extends Rule<'ratelimit'> {
  check(n: number): boolean;
}
let built = 0;
const create = (o: Options): Limit => {
  built++;
  return { [RULE]: 'ratelimit', check: (n) => n <= o.limit };
};

describe('isRule', () => {
  it('recognises a rule by its brand and kind, never by a method name', () => {
    const rule = create({ limit: 1 });
    expect(isRule(rule, 'ratelimit')).toBe(true);
    expect(isRule(rule, 'jwt')).toBe(false);
    expect(isRule({ limit: 1, check: () => true }, 'ratelimit')).toBe(false);
    expect(isRule(null, 'ratelimit')).toBe(false);
    // Another copy of @bulwark/core brands with the same registered symbol.
    expect(isRule({ [Symbol.for('bulwark.rule')]: 'cors' }, 'cors')).toBe(true);
  });
});

describe('ruleFor', () => {
  it('passes a built rule through unchanged', () => {
    const rule = create({ limit: 1 });
    expect(ruleFor(rule, 'ratelimit', create)).toBe(rule);
  });

  it('builds one rule per options object: the same options share it, other options get their own', () => {
    const options = { limit: 3 };
    const before = built;
    const a = ruleFor<Options, Limit>(options, 'ratelimit', create);
    const b = ruleFor<Options, Limit>(options, 'ratelimit', create);
    expect(a).toBe(b);
    expect(built - before).toBe(1);
    expect(a.check(3)).toBe(true);
    expect(a.check(4)).toBe(false);
    const c = ruleFor<Options, Limit>({ limit: 3 }, 'ratelimit', create);
    expect(c).not.toBe(a);
    expect(built - before).toBe(2);
  });

  it('treats options that merely have a function of the verb name as options', () => {
    const odd = { limit: 2, check: () => false } as unknown as Options;
    expect(ruleFor<Options, Limit>(odd, 'ratelimit', create).check(2)).toBe(true);
  });
});
