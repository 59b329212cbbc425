import { describe, expect, it } from 'vitest';
import { ruleFrom } from './rule.js';

interface Options {
  limit: number;
}
interface Rule {
  check(n: number): boolean;
}
const create = (o: Options): Rule => ({ check: (n) => n <= o.limit });

describe('ruleFrom', () => {
  it('builds a rule from options and passes a built rule through unchanged', () => {
    const built = create({ limit: 1 });
    expect(ruleFrom<Options, Rule>(built, create, 'check')).toBe(built);
    const fresh = ruleFrom<Options, Rule>({ limit: 3 }, create, 'check');
    expect(fresh).not.toBe(built);
    expect(fresh.check(3)).toBe(true);
    expect(fresh.check(4)).toBe(false);
  });

  it('treats options that merely have a non-function field of that name as options', () => {
    const odd = { limit: 2, check: 'yes' } as unknown as Options;
    expect(ruleFrom<Options, Rule>(odd, create, 'check').check(2)).toBe(true);
  });
});
