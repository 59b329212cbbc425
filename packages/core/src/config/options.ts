import { ConfigError } from '../errors.js';

/** The accepted range of a numeric option. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only (the default): counts, sizes and milliseconds. */
  readonly integer?: boolean;
}

/** A range with the value used when the option is not set. */
export interface NumberRule extends NumberRange {
  readonly fallback: number;
}

const MAX_SUGGEST_DISTANCE = 2;

/** Damerau-Levenshtein distance (adjacent swaps count once), capped: option names are short. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_SUGGEST_DISTANCE) return MAX_SUGGEST_DISTANCE + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known option a mistyped key most likely meant: same letters in another case, or at most two edits
 * away (one for names under five letters, which two edits would match with too much).
 *
 * @example
 * suggestOption('clocktolerance', ['clockToleranceSeconds', 'typ']) // 'clockToleranceSeconds'
 */
export function suggestOption(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  // Short names are one edit from many others: only a single slip counts for them.
  let best: string | undefined;
  let bestDistance = (key.length < 5 ? 1 : MAX_SUGGEST_DISTANCE) + 1;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Options renamed for 1.0 (unitless durations got their unit). An old name is still refused like any
 * unknown key, but the message names its new spelling instead of a near miss.
 */
const RENAMED: Readonly<Record<string, string>> = {
  clockTolerance: 'clockToleranceSeconds',
  maxTokenAge: 'maxTokenAgeSeconds',
  maxLifetime: 'maxLifetimeSeconds',
  maxAge: 'maxAgeSeconds',
};

/**
 * Check that `value` is an options object whose keys are all known. An unknown key is refused rather than
 * ignored: `clocktolerance` silently ignored leaves the default in force while the author believes
 * otherwise. A near miss names the option it most likely meant.
 *
 * @example
 * const o = checkOptions('jwt.cache', options.cache, ['maxEntries', 'maxAgeMs']);
 */
export function checkOptions(
  path: string,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      path || 'options',
      'must be an options object',
      `pass { ${known.slice(0, 4).join(', ')}, … }`,
    );
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const renamed = RENAMED[key];
    if (renamed !== undefined && known.includes(renamed)) {
      throw new ConfigError(
        path === '' ? key : `${path}.${key}`,
        `was renamed to ${renamed} in 1.0 (durations carry their unit in the name)`,
        `rename it to ${renamed}; the value keeps its unit`,
      );
    }
    const near = suggestOption(key, known);
    throw new ConfigError(
      path === '' ? key : `${path}.${key}`,
      near === undefined ? 'is not a known option' : `is not a known option (did you mean ${near}?)`,
      near === undefined ? `use one of ${known.join(', ')}` : `rename it to ${near}`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * A finite number within a range (an integer unless `integer: false`), or the fallback when unset. NaN,
 * Infinity, negatives and strings are refused: `cooldownMs: NaN` compares false with everything and would
 * quietly switch a limit off.
 *
 * @example
 * const cooldownMs = numberOption('jwt.jwks.cooldownMs', options.cooldownMs, { min: 0, max: 3_600_000, fallback: 30_000 });
 */
export function numberOption(path: string, value: unknown, rule: NumberRule): number;
export function numberOption(path: string, value: unknown, rule: NumberRange): number | undefined;
export function numberOption(
  path: string,
  value: unknown,
  rule: NumberRange & { readonly fallback?: number },
): number | undefined {
  if (value === undefined) return rule.fallback;
  const integer = rule.integer !== false;
  const ok =
    typeof value === 'number' &&
    (integer ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
    value >= rule.min &&
    value <= rule.max;
  if (ok) return value;
  const shown = typeof value === 'number' ? String(value) : `a ${typeof value}`;
  throw new ConfigError(
    path,
    `${shown} is not ${integer ? 'an integer' : 'a number'} between ${rule.min} and ${rule.max}`,
    rule.fallback === undefined
      ? `use a value from ${rule.min} to ${rule.max}`
      : `use a value from ${rule.min} to ${rule.max}, or leave it unset for ${rule.fallback}`,
  );
}

/** `unknown` when `K` names every key of `T`, else a type that reports the missing ones. */
type Complete<T, K extends readonly PropertyKey[]> = [Exclude<keyof T, K[number]>] extends [never]
  ? unknown
  : { readonly missingOptions: Exclude<keyof T, K[number]> };

/**
 * The option names of `T` as a list the compiler checks is complete, for {@link checkOptions}: an option
 * added to the interface and not here is a type error, so it can never be refused as unknown by mistake.
 *
 * @example
 * const CACHE_KEYS = optionKeys<JwtCacheOptions>()('maxEntries', 'maxAgeMs');
 */
export function optionKeys<T>(): OptionKeyList<T> {
  return ((...keys: readonly string[]) => keys) as OptionKeyList<T>;
}

/** What {@link optionKeys} returns: takes every key of `T` (and only those), gives them back as a list. */
export type OptionKeyList<T> = <const K extends readonly (keyof T & string)[]>(
  ...keys: K & Complete<T, K>
) => readonly string[];
