import type { ProbeResponse } from '../client.js';
import type { CheckContext } from './context.js';
import { JWT_RULES as R } from './jwt-rules.js';

// A stack frame, also as express's development error page prints it (HTML-escaped, spaces as &nbsp;).
// Bounded repeats: the body comes from the audited server, which may be hostile.
const STACK =
  /(?:^|\s|&nbsp;)at (?:[^\s<()]{1,200} \()?(?:\/|[A-Za-z]:\\|file:|node:)[^\s<()]{0,300}:\d{1,7}(?::\d{1,7})?/m;
const PATHS =
  /node_modules[/\\]|\/(?:home|usr|srv|app|opt)\/[\w.-]{1,100}\/[\w./-]{1,200}\.(?:js|ts|mjs|cjs)\b/;
const LIBRARY =
  /\b(JsonWebTokenError|TokenExpiredError|NotBeforeError|UnauthorizedError|JWSInvalid|JWSSignatureVerificationFailed|JWTInvalid|JWTClaimValidationFailed|JOSEAlgNotAllowed|JOSENotSupported|invalid algorithm|invalid signature|jwt malformed|jwt signature is required|secretOrPublicKey|secret or public key must be provided)\b/i;

/**
 * Judge the API's refusals of forged and malformed tokens: a 5xx, a stack trace or file path, the token
 * echoed back, or the verifier library's own exception text. One finding per kind, the first response as
 * evidence.
 */
export function scanForLeaks(
  ctx: CheckContext,
  url: string,
  refused: readonly { res: ProbeResponse; token: string }[],
  genuine: readonly string[],
): void {
  const once = new Set<string>();
  const report = (rule: (typeof R)[keyof typeof R], detail: string, res: ProbeResponse) => {
    if (once.has(rule.id)) return;
    once.add(rule.id);
    ctx.found(rule, url, detail, [ctx.evidence(res, true)]);
  };
  for (const { res, token } of refused) {
    // Error pages are small; a hostile server's megabyte is not scanned whole.
    const body = res.text().slice(0, 65_536);
    const headers = res.headerPairs.map(([n, v]) => `${n}: ${v}`).join('\n');
    if (res.status >= 500) report(R.error5xx, `a bad token was answered ${res.status}`, res);
    const stack = STACK.exec(body);
    if (stack)
      report(
        R.errorLeak,
        `the ${res.status} response carries a stack trace (${stack[0]
          .trim()
          .replace(/&nbsp;/g, ' ')
          .slice(0, 80)}…)`,
        res,
      );
    else if (PATHS.test(body)) report(R.errorLeak, `the ${res.status} response names server file paths`, res);
    const sig = token.split('.')[2] ?? '';
    const echoed =
      [token, ...genuine].some((t) => t.length > 16 && (body.includes(t) || headers.includes(t))) ||
      (sig.length >= 16 && body.includes(sig));
    if (echoed) report(R.errorLeak, `the ${res.status} response echoes the token it refused`, res);
    const lib = LIBRARY.exec(body);
    if (lib) report(R.errorDetail, `the ${res.status} response says ${JSON.stringify(lib[0])}`, res);
  }
}
