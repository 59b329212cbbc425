let seq = 0;

/**
 * A key unique to this test run, so suites can share one server (Redis) without flushing it. Carries `{`,
 * `}` and `:` on purpose: stores must keep such keys distinct and must not let them steer Redis slots.
 *
 * @example
 * const key = uniqueKey('claim'); // 'claim:{4f2}:1712…:7'
 */
export function uniqueKey(label: string): string {
  seq += 1;
  return `${label}:{${process.pid.toString(36)}}:${Date.now().toString(36)}:${seq}`;
}

/**
 * Let real time pass; stores keep their own clock (Redis uses its TIME), so expiry is tested for real.
 *
 * @example
 * await sleep(80);
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How store scenarios read and pass time: the clock the backend's stores read. */
export interface StoreClock {
  /** Epoch ms, as the stores see it. */
  now(): number;
  /** Let `ms` pass for the stores. */
  sleep(ms: number): Promise<void>;
}

/** Real time, for stores that keep their own clock (Redis reads its TIME and expires keys itself). */
export const realClock: StoreClock = { now: () => Date.now(), sleep };

/**
 * A clock moved only by `sleep`, for stores that take a `now` option (the memory stores): expiry is then
 * exact and instant, whatever the scheduler does between two calls.
 *
 * @example
 * const clock = createManualClock();
 * defineStoreSuite('memory', { clock, replay: () => createMemoryReplayStore({ now: clock.now }) });
 */
export function createManualClock(start = Date.now()): StoreClock {
  let t = start;
  return {
    now: () => t,
    async sleep(ms) {
      t += ms;
    },
  };
}
