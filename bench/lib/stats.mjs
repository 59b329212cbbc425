// Small statistics and formatting helpers shared by the runner and the report.

/** Median of a list of numbers (mean of the two middle values for even lengths). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Per-round ratios of two aligned sample lists; > 1 means `subject` is better. */
export function roundRatios(subject, other, lowerIsBetter = false) {
  const n = Math.min(subject.length, other.length);
  const out = [];
  for (let i = 0; i < n; i++) out.push(lowerIsBetter ? other[i] / subject[i] : subject[i] / other[i]);
  return out;
}

/** Summary { median, min, max } of a sample list. */
export function summary(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** 3 significant digits with k/M suffixes: 1234567 → "1.23M". */
export function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  if (a >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

/** "median (min–max)". */
export function fmtRange(xs, digits = fmt) {
  const s = summary(xs);
  return xs.length > 1 ? `${digits(s.median)} (${digits(s.min)}–${digits(s.max)})` : digits(s.median);
}

/** Ratio formatted as "2.31×". */
export function fmtX(x) {
  return `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

/**
 * fmtX of a ratio judged against `limit`, with one more digit when two would print the limit itself for a value
 * on either side of it (0.896 against 0.9 reads 0.896×, not a "missed" 0.90×).
 */
export function fmtAgainst(x, limit) {
  return limit !== undefined && x !== limit && fmtX(x) === fmtX(limit) ? `${x.toFixed(3)}×` : fmtX(x);
}
