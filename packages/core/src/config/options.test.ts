import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { checkOptions, numberOption, suggestOption } from './options.js';

const KNOWN = ['clockTolerance', 'maxTokenAge', 'audience', 'typ'];

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('checkOptions', () => {
  it('accepts known keys, including ones set to undefined', () => {
    const o = { clockTolerance: 3, typ: undefined };
    expect(checkOptions('jwt', o, KNOWN)).toBe(o);
  });

  it('refuses an unknown key, naming its path and the known ones', () => {
    const e = configError(() => checkOptions('jwt', { audience: 'a', bogus: 1 }, KNOWN));
    expect(e.option).toBe('jwt.bogus');
    expect(e.message).toContain('clockTolerance, maxTokenAge, audience, typ');
  });

  it('suggests the spelling a case or near miss meant', () => {
    expect(configError(() => checkOptions('jwt', { clocktolerance: 5 }, KNOWN)).message).toContain(
      'did you mean clockTolerance?',
    );
    expect(configError(() => checkOptions('jwt', { maxTokenAeg: 5 }, KNOWN)).message).toContain(
      'did you mean maxTokenAge?',
    );
  });

  it('names the 1.0 spelling of a duration option renamed to carry its unit', () => {
    const known = ['clockToleranceSeconds', 'maxAgeSeconds', 'maxLifetimeSeconds', 'maxTokenAgeSeconds'];
    for (const [old, renamed] of [
      ['clockTolerance', 'clockToleranceSeconds'],
      ['maxAge', 'maxAgeSeconds'],
      ['maxLifetime', 'maxLifetimeSeconds'],
      ['maxTokenAge', 'maxTokenAgeSeconds'],
    ] as const) {
      const e = configError(() => checkOptions('jwt', { [old]: 5 }, known));
      expect(e.option).toBe(`jwt.${old}`);
      expect(e.message).toContain(`was renamed to ${renamed} in 1.0`);
      expect(e.message).toContain(`rename it to ${renamed}`);
    }
    // An old name where the new one is not an option of that object is an ordinary unknown key.
    expect(configError(() => checkOptions('x', { maxAge: 5 }, ['maxAgeMs'])).message).not.toContain(
      'renamed',
    );
  });

  it('refuses what is not an options object', () => {
    for (const v of [null, 'x', 1, ['a'], undefined]) {
      expect(configError(() => checkOptions('jwt.cache', v, KNOWN)).option).toBe('jwt.cache');
    }
  });
});

describe('suggestOption', () => {
  it('matches case-insensitively, and by at most two edits for longer names', () => {
    expect(suggestOption('TYP', KNOWN)).toBe('typ');
    expect(suggestOption('audeince', KNOWN)).toBe('audience');
    expect(suggestOption('audiences', KNOWN)).toBe('audience');
    expect(suggestOption('ty', KNOWN)).toBe('typ');
    expect(suggestOption('t', KNOWN)).toBeUndefined();
    expect(suggestOption('somethingElse', KNOWN)).toBeUndefined();
  });
});

describe('numberOption', () => {
  const rule = { min: 0, max: 60_000, fallback: 500 };

  it('returns the value or the fallback', () => {
    expect(numberOption('x.timeoutMs', undefined, rule)).toBe(500);
    expect(numberOption('x.timeoutMs', 0, rule)).toBe(0);
    expect(numberOption('x.timeoutMs', 60_000, rule)).toBe(60_000);
    expect(numberOption('x.maxAge', undefined, { min: 0, max: 10 })).toBeUndefined();
  });

  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 60_001, 1.5, '100', null])(
    'refuses %s with the path and the safe range',
    (v) => {
      const e = configError(() => numberOption('x.timeoutMs', v, rule));
      expect(e.option).toBe('x.timeoutMs');
      expect(e.message).toContain('between 0 and 60000');
      expect(e.message).toContain('leave it unset for 500');
    },
  );

  it('takes fractions only when asked', () => {
    expect(numberOption('x.seconds', 2.5, { min: 0, max: 300, integer: false })).toBe(2.5);
    expect(() => numberOption('x.seconds', Number.NaN, { min: 0, max: 300, integer: false })).toThrow(
      /x\.seconds: NaN is not a number between 0 and 300/,
    );
  });
});
