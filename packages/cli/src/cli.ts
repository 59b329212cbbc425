import { parseCommand, USAGE } from './args.js';
import { audit, exitCodeFor } from './audit.js';
import { ProbeError, UsageError } from './errors.js';
import { createProgress, type ProgressStream } from './progress.js';
import { renderJson } from './report/json.js';
import { renderSarif } from './report/sarif.js';
import { renderText } from './report/text.js';
import { VERSION } from './version.js';

/** Where `main` writes: the process streams in the binary, buffers in tests. */
export interface Io {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Run the `bulwark` command line and return the exit code. Never throws and never prints a stack: every
 * failure is one `error:` line on stderr (set BULWARK_DEBUG=1 to see the stack of an unexpected one).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const progress = createProgress(io.stderr);
  try {
    const command = parseCommand(argv, io.env);
    if (command === 'help') {
      io.stdout.write(USAGE);
      return argv.length === 0 ? 2 : 0;
    }
    if (command === 'version') {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const report = await audit(command.options, { onRequest: progress.update });
    progress.done();
    const { failOn } = command.options;
    if (command.format === 'json') io.stdout.write(renderJson(report));
    else if (command.format === 'sarif') io.stdout.write(renderSarif(report));
    else {
      const color = io.stdout.isTTY === true && io.env.NO_COLOR === undefined;
      io.stdout.write(renderText(report, { color, failOn }));
    }
    const code = exitCodeFor(report, failOn);
    if (code === 3)
      io.stderr.write(
        `bulwark audit: incomplete: ${report.warnings.length} probe(s) did not finish (see the report)\n`,
      );
    return code;
  } catch (err) {
    progress.done();
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n\nRun "bulwark audit --help" for the options.\n`);
      return 2;
    }
    if (err instanceof ProbeError) {
      io.stderr.write(`error: ${err.message}\nNothing was audited.\n`);
      return 3;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`error: unexpected failure: ${message}\n`);
    if (io.env.BULWARK_DEBUG === '1' && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return 4;
  }
}
