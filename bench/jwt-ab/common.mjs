// Shared by the JWT A/B tools: the rounds (lib/micro.mjs's alternated CPU-time rounds, in µs per operation)
// and the per-round ratio report. Keys, tokens and the floor come from lib/jwt-material.mjs, as in jwt.mjs.
import { compare } from '../lib/micro.mjs';

/** The result every case must give before it is timed: a verified token or a true floor. */
export function verified(name, r) {
  if (!(r === true || r?.ok === true || r?.sub === 'user-1'))
    throw new Error(`${name}: ${JSON.stringify(r)}`);
}

/** Time `cases` in `rounds` alternated rounds of `ms` CPU milliseconds; µs per operation by case. */
export async function ab(group, cases, rounds, ms) {
  process.env.BENCH_ROUNDS = String(rounds);
  process.env.BENCH_ROUND_MS = String(ms);
  const rows = await compare(group, cases, { clock: 'cpu', check: verified });
  return Object.fromEntries(rows.map((r) => [r.name, r.samples.map((opsPerSecond) => 1e6 / opsPerSecond)]));
}

export const med = (a) => {
  const b = [...a].sort((x, y) => x - y);
  const m = b.length >> 1;
  return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2;
};

/** Per-round ratios a ÷ b of two cases' µs, as "median m (min–max)". */
export function ratio(s, a, b) {
  const r = s[a].map((x, i) => x / s[b][i]);
  return `median ${med(r).toFixed(3)} (${Math.min(...r).toFixed(3)}–${Math.max(...r).toFixed(3)})`;
}

/** Each case's median and rounds in µs, then `a ÷ b` for each pair. */
export function report(s, pairs) {
  for (const [n, v] of Object.entries(s))
    console.log(n.padEnd(30), 'median µs', med(v).toFixed(3), v.map((x) => x.toFixed(3)).join(' '));
  for (const [a, b] of pairs) console.log(`${a} ÷ ${b}`.padEnd(50), ratio(s, a, b));
}
