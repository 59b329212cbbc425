/** A stream the progress line can be written to (process.stderr in the CLI). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * One self-overwriting status line on a terminal: `[ 12/300] cors  GET https://…`. Silent when the stream is
 * not a TTY (CI logs, pipes), so machine output and logs stay clean.
 *
 * @example
 * const progress = createProgress(process.stderr);
 * await audit(options, { onRequest: progress.update });
 * progress.done();
 */
export function createProgress(stream: ProgressStream): {
  update: (info: { index: number; max: number; method: string; url: string; phase: string }) => void;
  done: () => void;
} {
  const active = stream.isTTY === true;
  let shown = false;
  return {
    update(info) {
      if (!active) return;
      const width = Math.max(40, (stream.columns ?? 100) - 1);
      const head = `[${String(info.index).padStart(String(info.max).length)}/${info.max}] ${info.phase.padEnd(9)} ${info.method} `;
      let url = redactQuery(info.url);
      if (head.length + url.length > width) url = `${url.slice(0, Math.max(10, width - head.length - 1))}…`;
      stream.write(`\r\x1b[2K${head}${url}`);
      shown = true;
    },
    done() {
      if (active && shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

const SECRET_NAME = /token|key|secret|sig/i;

/**
 * The URL with the value of every query parameter whose name looks secret replaced by `…`. Split by hand:
 * the regex it replaces rescanned the rest of the query from every `?` and `&` (quadratic in a long URL).
 *
 * @example
 * redactQuery('https://a.example/cb?code=1&access_token=abc') // 'https://a.example/cb?code=1&access_token=…'
 */
export function redactQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = url.slice(q + 1).split('&');
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const eq = p.indexOf('=');
    if (eq !== -1 && SECRET_NAME.test(p.slice(0, eq))) params[i] = `${p.slice(0, eq + 1)}…`;
  }
  return `${url.slice(0, q + 1)}${params.join('&')}`;
}
