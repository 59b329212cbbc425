import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';

/** A rate as text (`'100/min'`, `'10/s'`, `'1000/15min'`, `'5000/h'`, `'10000/day'`) or as numbers. */
export type RateSpec = string | { readonly limit: number; readonly windowMs: number };

/** A validated rate. */
export interface Rate {
  /** Requests allowed per window. */
  readonly limit: number;
  /** Window length in ms. */
  readonly windowMs: number;
}

const UNITS: Readonly<Record<string, number>> = {
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

/** `mins`, `hours`, `days`… are plurals; `ms`, `hs`, `ds` are not (`ms` is milliseconds). */
function unitMs(unit: string): number | undefined {
  if (Object.hasOwn(UNITS, unit)) return UNITS[unit];
  const singular = unit.slice(0, -1);
  return unit.endsWith('s') && singular.length >= 3 && Object.hasOwn(UNITS, singular)
    ? UNITS[singular]
    : undefined;
}

// Applied to the trimmed text. The optional multiplier carries its own trailing spaces, so no two `\s*` can
// share a run of spaces (with `\s*([0-9]*)\s*` they could, which is quadratic in the run's length).
const RATE = /^([0-9]+)\s*\/\s*(?:([0-9]+)\s*)?([a-z]+)$/;

const RATE_KEYS = optionKeys<Exclude<RateSpec, string>>()('limit', 'windowMs');
/** Requests per window and burst sizes: whole, at least one. */
const COUNT = { min: 1, max: Number.MAX_SAFE_INTEGER };
/** A window from 1 ms to a (leap) year; fractions of a ms are fine. */
const WINDOW = { min: 1, max: 366 * 86_400_000, integer: false };

/**
 * Parse and validate a rate. Zero, negative, fractional, NaN and infinite values are refused: a limiter
 * that silently allows everything (or nothing) is worse than one that does not start.
 *
 * @example
 * parseRate('limit', '100/min') // { limit: 100, windowMs: 60000 }
 */
export function parseRate(option: string, spec: unknown): Rate {
  if (typeof spec === 'object' && spec !== null) {
    checkOptions(option, spec, RATE_KEYS);
    const { limit, windowMs } = spec as Partial<Rate>;
    if (limit === undefined || windowMs === undefined) {
      throw new ConfigError(
        option,
        'needs limit and windowMs',
        "e.g. { limit: 100, windowMs: 60_000 } or '100/min'",
      );
    }
    return {
      limit: numberOption(`${option}.limit`, limit, COUNT) as number,
      windowMs: numberOption(`${option}.windowMs`, windowMs, WINDOW) as number,
    };
  }
  if (typeof spec !== 'string') throw new ConfigError(option, 'is required', "set a rate such as '100/min'");
  const m = RATE.exec(spec.trim().toLowerCase());
  const unit = m === null ? undefined : unitMs(m[3]!);
  if (m === null || unit === undefined) {
    throw new ConfigError(
      option,
      `'${spec}' is not a rate`,
      "write it as '<count>/<unit>', e.g. '100/min' or '10/s'",
    );
  }
  return {
    limit: numberOption(option, Number(m[1]), COUNT) as number,
    windowMs: numberOption(option, (m[2] === undefined ? 1 : Number(m[2])) * unit, WINDOW) as number,
  };
}

/**
 * Validate a burst size: a positive integer (the requests allowed at once). Defaults to the limit.
 *
 * @example
 * parseBurst('burst', 20, 100) // 20
 */
export function parseBurst(option: string, burst: unknown, limit: number): number {
  return numberOption(option, burst, { ...COUNT, fallback: limit });
}
