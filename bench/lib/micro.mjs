// Micro benchmark helper: A/B-alternated rounds, ops/s per round, so ratios come from the same run.
// Every bench/<name>.mjs uses `compare` (or builds rows itself) and returns the rows from `run()`.

/** Defeats dead-code elimination: results are written here and never read. */
export let sink;

const SETTINGS = {
  full: { rounds: 7, roundMs: 400, warmupMs: 300 },
  smoke: { rounds: 3, roundMs: 40, warmupMs: 20 },
};

/** The timing settings for this run; `BENCH_ROUNDS` / `BENCH_ROUND_MS` override (for experiments). */
export function settings(smoke) {
  const s = { ...(smoke ? SETTINGS.smoke : SETTINGS.full) };
  if (process.env.BENCH_ROUNDS) s.rounds = Number(process.env.BENCH_ROUNDS);
  if (process.env.BENCH_ROUND_MS) s.roundMs = Number(process.env.BENCH_ROUND_MS);
  return s;
}

const wall = () => Number(process.hrtime.bigint()) / 1e6;
/** Process CPU time (user + system, every thread) in ms: stops while the process is descheduled. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Run `fn` repeatedly for about `ms` milliseconds of `clock`; returns operations per second of it.
 * Groups of synchronous cases are timed on CPU time, so other processes competing for the machine do not
 * show up as slowness; groups with any asynchronous case (which may wait on I/O) on wall time.
 */
async function timed(fn, isAsync, ms, now = wall) {
  let ops = 0;
  let batch = 1;
  const start = now();
  const end = start + ms;
  let t = start;
  while (t < end) {
    if (isAsync) {
      for (let i = 0; i < batch; i++) sink = await fn();
    } else {
      for (let i = 0; i < batch; i++) sink = fn();
    }
    ops += batch;
    t = now();
    // Grow batches so the clock read stays negligible, but keep each batch well under the round.
    if (batch < 1 << 16 && t - start < ms / 20) batch *= 2;
  }
  return (ops * 1000) / (t - start);
}

/**
 * Measure the cases of one comparison group in alternating rounds.
 *
 * Each round runs every case once for `roundMs`, in an order rotated by one each round, so slow drift
 * (thermal, noisy neighbours, GC of earlier rounds) hits every case alike. `samples[i]` of every row
 * belongs to round `i`, which lets the report compute per-round ratios.
 *
 * @param {string} group Name of the comparison, e.g. "verify RS256".
 * @param {Record<string, () => unknown>} cases Case name → function (sync or async). The first case is
 *   the subject (normally bulwark); the report shows subject ÷ each other case.
 * @param {{ smoke?: boolean, check?: (name: string, result: unknown) => void }} [options]
 *   `check` is called once per case with its first result, before timing: assert the case does what
 *   you claim (e.g. the token really verified), so a broken case cannot look fast.
 *   `clock: 'cpu' | 'wall'` overrides the default (CPU time when every case is synchronous, else wall
 *   time); pass 'cpu' for promise-returning cases that never wait on I/O (in-memory stores).
 * @returns {Promise<Array<{ group: string, name: string, samples: number[] }>>}
 * @example
 *   const rows = await compare('verify RS256', { bulwark: () => v.verifyToken(t), jose: () => jwtVerify(t, k) }, { smoke });
 */
export async function compare(group, cases, options = {}) {
  const { rounds, roundMs, warmupMs } = settings(options.smoke);
  const names = Object.keys(cases);
  const kinds = {};
  for (const name of names) {
    const first = cases[name]();
    const isAsync = first !== null && typeof first === 'object' && typeof first.then === 'function';
    kinds[name] = isAsync;
    const value = isAsync ? await first : first;
    options.check?.(name, value);
  }
  const clock = options.clock ?? (names.some((n) => kinds[n]) ? 'wall' : 'cpu');
  const now = clock === 'cpu' ? cpu : wall;
  for (const name of names) await timed(cases[name], kinds[name], warmupMs, now);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      globalThis.gc?.();
      samples[name].push(await timed(cases[name], kinds[name], roundMs, now));
    }
  }
  return names.map((name) => ({ group, name, samples: samples[name], clock }));
}

/** Throw unless `cond` holds: for `check` callbacks. */
export function ensure(cond, message) {
  if (!cond) throw new Error(`bench check failed: ${message}`);
}
