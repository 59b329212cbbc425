import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { parseBurst, parseRate } from './rate.js';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

const refused = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch (e) {
    return isConfigError(e);
  }
};

describe('parseRate properties', () => {
  it('reads <count>/<n><unit> in any case, plural or not, with spaces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        fc.constantFrom(...Object.keys(UNITS)),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.constantFrom('', ' ', '\t', '  '), { minLength: 5, maxLength: 5 }),
        (limit, n, unit, plural, upper, ws) => {
          const u = `${unit}${plural && unit.length >= 3 ? 's' : ''}`;
          const [a, b, c, d, e] = ws;
          const text = `${a}${limit}${b}/${c}${n === undefined ? '' : `${n}${d}`}${upper ? u.toUpperCase() : u}${e}`;
          expect(parseRate('rate', text)).toEqual({ limit, windowMs: (n ?? 1) * UNITS[unit]! });
        },
      ),
    );
  });

  it('refuses anything that is not a positive integer over a positive window, never returning NaN', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        let rate: { limit: number; windowMs: number } | undefined;
        try {
          rate = parseRate('rate', text);
        } catch (e) {
          expect(isConfigError(e)).toBe(true);
          return;
        }
        expect(Number.isSafeInteger(rate.limit) && rate.limit >= 1).toBe(true);
        expect(Number.isFinite(rate.windowMs) && rate.windowMs >= 1).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.double(), fc.double(), (limit, windowMs) => {
        const ok = Number.isSafeInteger(limit) && limit >= 1 && windowMs >= 1 && windowMs <= 366 * 86_400_000;
        expect(refused(() => parseRate('rate', { limit, windowMs }))).toBe(!ok);
      }),
    );
  });

  it('does not read ms, hs or ds as plurals, nor inherited object keys as units', () => {
    expect(parseRate('rate', '10/ms').windowMs).toBe(1);
    for (const text of ['10/hs', '10/ds', '10/constructor', '10/tostring', '10/mss']) {
      expect(
        refused(() => parseRate('rate', text)),
        text,
      ).toBe(true);
    }
  });

  it('burst defaults to the limit and must be a positive integer', () => {
    expect(parseBurst('burst', undefined, 100)).toBe(100);
    for (const b of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
      expect(refused(() => parseBurst('burst', b, 100))).toBe(true);
    }
  });
});
