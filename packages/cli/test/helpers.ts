import { once } from 'node:events';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { main } from '../src/cli.js';

/** A server on 127.0.0.1:0 and how to stop it. */
export interface Running {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serve a node request listener (an express app is one) on 127.0.0.1, over TLS when `tls` is given. */
export async function listen(
  handler: RequestListener,
  tls?: { key: string; cert: string },
): Promise<Running> {
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A captured stream for `main`. */
function capture(isTTY = false) {
  let text = '';
  return {
    isTTY,
    columns: 100,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}

/** Run the CLI in-process, exactly as the binary does, and capture what it prints. */
export async function runCli(
  args: readonly string[],
  opts: { tty?: boolean; env?: Record<string, string> } = {},
) {
  const stdout = capture(false);
  const stderr = capture(opts.tty === true);
  const code = await main(args, { stdout, stderr, env: opts.env ?? {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export interface JsonFinding {
  id: string;
  area: string;
  severity: string;
  target: string;
  detail: string;
  evidence: { request: string; response: string }[];
}

/** Run `bulwark audit … --json` and parse the report. */
export async function auditJson(args: readonly string[], env: Record<string, string> = {}) {
  const result = await runCli(['audit', ...args, '--json', '--fail-on', 'none'], { env });
  if (result.code !== 0 && result.code !== 3) throw new Error(`exit ${result.code}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as {
    findings: JsonFinding[];
    notChecked: { area: string; what: string; why: string }[];
    warnings: string[];
    requests: number;
    complete: boolean;
  };
  const ids = (area?: string) =>
    [...new Set(report.findings.filter((f) => !area || f.area === area).map((f) => f.id))].sort();
  const high = report.findings.filter((f) => f.severity === 'high' || f.severity === 'critical');
  return { ...report, ids, high, stderr: result.stderr, code: result.code };
}
