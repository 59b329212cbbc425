/**
 * The console lines written while a test file runs (error, warn, info, log), for harnesses whose framework
 * logger is the console.
 *
 * @example
 * const log = captureConsole(); // then log.take() in takeFrameworkLog()
 */
export function captureConsole(): { take(): string[]; restore(): void } {
  const lines: string[] = [];
  const saved = { error: console.error, warn: console.warn, info: console.info, log: console.log };
  for (const level of ['error', 'warn', 'info', 'log'] as const) {
    console[level] = (...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    };
  }
  return {
    take: () => lines.splice(0),
    restore: () => Object.assign(console, saved),
  };
}
