import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { parseSeverity } from './findings.js';
import { type AuditOptions, DEFAULT_OPTIONS, LIMITS } from './options.js';
import { parseWebhookHeaders } from './checks/webhook-sample.js';

/** What the command line asks for: the audit options and how to print the report. */
export interface Command {
  readonly kind: 'audit';
  readonly options: AuditOptions;
  readonly format: 'text' | 'json' | 'sarif';
}

export const USAGE = `Usage: bulwark audit <url> [<url>...] [options]

Probes a live API for the misconfigurations bulwark prevents: security headers, CORS, JWT verification,
rate limiting and webhook verification. Only GET, HEAD and OPTIONS are sent, except POST to the paths
you name (--webhook, --rate-limit-method POST). Only the hosts of the URLs (and --allow-host) are contacted.

Targets
  --origin <origin>          a browser origin your API serves (repeatable); CORS look-alikes derive from it
  --header "Name: value"     sent on every request (repeatable): an API key, a session cookie. Redacted.
  --allow-host <host>        another host the audit may contact: a redirect target, the token issuer
  --ca <file.pem>            trust this CA too (a self-signed test server)

JWT (needs a currently valid token for one of the URLs; the env var BULWARK_AUDIT_TOKEN also works)
  --token <jwt>              enables the forgery checks (alg none, stripped signature, HS256 with the
                             issuer's public key, kid tricks, embedded jwk, token in the query string)
  --jwks <url>               the issuer's JWKS when discovery from the token's iss is not reachable
  --key-server <url>         serve an attacker JWKS/certificate here for the jku/x5u checks, e.g.
                             http://127.0.0.1:0 (the API must be able to reach it)

Rate limiting (off unless asked)
  --probe-rate-limit <n>     send up to n requests (≤ ${LIMITS.probeRateLimit}) to find the limit, then try to reset it
                             with rotated X-Forwarded-For / Forwarded / X-Real-IP
  --rate-limit-path <path>   where to probe (default: the first URL)
  --rate-limit-method <m>    GET (default) or POST

Webhooks
  --webhook <path>           a webhook receiver: unsigned and forged deliveries must be refused
  --webhook-headers <file>   headers of a genuine signed delivery, "Name: value" per line, and
  --webhook-body <file>      its exact body bytes: checks tampering, staleness and replay

Output and limits
  --json | --sarif           machine-readable report on stdout (SARIF 2.1.0 for code scanning)
  --fail-on <severity>       exit 1 at or above: critical, high (default), medium, low, info, none
  --timeout-ms <ms>          per request (default ${DEFAULT_OPTIONS.timeoutMs})
  --max-requests <n>         for the whole audit (default ${DEFAULT_OPTIONS.maxRequests}, at most ${LIMITS.maxRequests})
  --max-body-bytes <n>       per response (default ${DEFAULT_OPTIONS.maxBodyBytes})
  --delay-ms <ms>            pause before each request (default 0)

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad command line, 3 audit incomplete or a URL
could not be fetched (unreachable, TLS, not HTTP, redirect to another host, timeout, size cap).
`;

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function httpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `${name}: ${JSON.stringify(value)} is not an absolute URL (e.g. https://api.example.com/orders)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${name}: only http:// and https:// URLs can be audited, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(
      `${name}: put credentials in --header, not in the URL (they would appear in the report)`,
    );
  }
  return url;
}

function readText(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${path} (${(err as { code?: string }).code ?? 'error'})`);
  }
}

/**
 * Parse `bulwark` arguments. Returns `'help'` / `'version'` for those flags; throws `UsageError` with a
 * message naming the flag for anything it cannot run.
 *
 * @example
 * const cmd = parseCommand(['audit', 'https://api.example.com/', '--json'], process.env);
 */
export function parseCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Command | 'help' | 'version' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const v = parsed.values;
  if (v.version) return 'version';
  if (v.help || parsed.positionals.length === 0) return 'help';
  const [command, ...urls] = parsed.positionals;
  if (command !== 'audit')
    throw new UsageError(`unknown command ${JSON.stringify(command)}; the command is: bulwark audit <url>`);
  if (urls.length === 0) throw new UsageError('bulwark audit needs at least one URL');
  for (const u of urls) httpUrl('url', u);
  if (v.json && v.sarif) throw new UsageError('--json and --sarif are exclusive: pick one report format');

  const failOn = parseSeverity(v['fail-on'] ?? 'high');
  if (failOn === undefined)
    throw new UsageError('--fail-on must be one of critical, high, medium, low, info, none');
  const headers = (v.header ?? []).map((h) => {
    // `(\S.*)?` rather than `(.*)`: both it and `\s*` could take a run of spaces, which is quadratic.
    const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):\s*(\S.*)?$/.exec(h);
    if (!m)
      throw new UsageError(`--header must look like "Name: value", got ${JSON.stringify(h.slice(0, 40))}`);
    return [m[1]!.toLowerCase(), m[2] ?? ''] as const;
  });
  const origins = (v.origin ?? []).map((o) => {
    const url = httpUrl('--origin', o);
    if (url.pathname !== '/' || url.search !== '' || o.endsWith('/')) {
      throw new UsageError(
        `--origin takes an origin (scheme://host[:port]) without a path, got ${JSON.stringify(o)}`,
      );
    }
    return url.origin;
  });
  const token = v.token ?? env.BULWARK_AUDIT_TOKEN;
  if (token !== undefined && token.split('.').length !== 3) {
    throw new UsageError('--token must be a compact JWT (three base64url parts separated by dots)');
  }
  const method = (v['rate-limit-method'] ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw new UsageError('--rate-limit-method must be GET or POST');
  if ((v['webhook-headers'] === undefined) !== (v['webhook-body'] === undefined)) {
    throw new UsageError(
      '--webhook-headers and --webhook-body go together: the headers and the exact body of one signed delivery',
    );
  }
  if (v['webhook-headers'] !== undefined && v.webhook === undefined)
    throw new UsageError('--webhook-headers needs --webhook <path>');
  if (v['rate-limit-path'] !== undefined && v['probe-rate-limit'] === undefined) {
    throw new UsageError(
      '--rate-limit-path needs --probe-rate-limit <n> (the rate-limit probe is off by default)',
    );
  }
  if (v.jwks !== undefined) httpUrl('--jwks', v.jwks);
  if (v['key-server'] !== undefined) httpUrl('--key-server', v['key-server']);

  const num = (name: keyof typeof LIMITS, flag: string, min: number) =>
    integer(`--${flag}`, v[flag as 'timeout-ms'], min, LIMITS[name]);
  const options: AuditOptions = {
    ...DEFAULT_OPTIONS,
    urls,
    headers,
    origins,
    allowHosts: (v['allow-host'] ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean),
    failOn,
    rateLimitMethod: method,
    timeoutMs: num('timeoutMs', 'timeout-ms', 100) ?? DEFAULT_OPTIONS.timeoutMs,
    maxRequests: num('maxRequests', 'max-requests', 1) ?? DEFAULT_OPTIONS.maxRequests,
    maxBodyBytes: num('maxBodyBytes', 'max-body-bytes', 1024) ?? DEFAULT_OPTIONS.maxBodyBytes,
    delayMs: num('delayMs', 'delay-ms', 0) ?? DEFAULT_OPTIONS.delayMs,
    ...(token === undefined ? {} : { token }),
    ...(v.jwks === undefined ? {} : { jwksUrl: v.jwks }),
    ...(v['key-server'] === undefined ? {} : { keyServer: v['key-server'] }),
    ...(v.ca === undefined ? {} : { ca: readText('--ca', v.ca).toString('utf8') }),
    ...(v['probe-rate-limit'] === undefined
      ? {}
      : { probeRateLimit: integer('--probe-rate-limit', v['probe-rate-limit'], 1, LIMITS.probeRateLimit)! }),
    ...(v['rate-limit-path'] === undefined ? {} : { rateLimitPath: v['rate-limit-path'] }),
    ...(v.webhook === undefined ? {} : { webhook: v.webhook }),
    ...(v['webhook-headers'] === undefined
      ? {}
      : {
          webhookSample: {
            headers: parseWebhookHeaders(
              '--webhook-headers',
              readText('--webhook-headers', v['webhook-headers']).toString('utf8'),
            ),
            body: new Uint8Array(readText('--webhook-body', v['webhook-body']!)),
          },
        }),
  };
  return { kind: 'audit', options, format: v.json ? 'json' : v.sarif ? 'sarif' : 'text' };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      json: { type: 'boolean' },
      sarif: { type: 'boolean' },
      'fail-on': { type: 'string' },
      origin: { type: 'string', multiple: true },
      header: { type: 'string', short: 'H', multiple: true },
      'allow-host': { type: 'string', multiple: true },
      ca: { type: 'string' },
      token: { type: 'string' },
      jwks: { type: 'string' },
      'key-server': { type: 'string' },
      'probe-rate-limit': { type: 'string' },
      'rate-limit-path': { type: 'string' },
      'rate-limit-method': { type: 'string' },
      webhook: { type: 'string' },
      'webhook-headers': { type: 'string' },
      'webhook-body': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-requests': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'delay-ms': { type: 'string' },
    },
  });
}
