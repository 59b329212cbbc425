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
