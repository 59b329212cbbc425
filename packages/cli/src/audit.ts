import { createClient, type ProbeResponse } from './client.js';
import { checkCors } from './checks/cors.js';
import { type CheckContext, type Collected, createContext, type Target } from './checks/context.js';
import { checkHeaders } from './checks/headers.js';
import { checkJwt } from './checks/jwt.js';
import { checkRateLimit } from './checks/ratelimit.js';
import { checkWebhooks } from './checks/webhooks.js';
import { ProbeError } from './errors.js';
import { Secrets } from './evidence.js';
import { AREAS, type Finding, type NotChecked, type Severity, severityOf, severityRank } from './findings.js';
import type { AuditOptions } from './options.js';
import { VERSION } from './version.js';

/**
 * The result of one audit: what was found, what was not checked and why, and whether every probe ran.
 *
 * @example
 * const report = await audit({ ...DEFAULT_OPTIONS, urls: ['http://127.0.0.1:3000/health'] });
 * if (report.findings.some((f) => severityOf(f) === 'critical')) process.exitCode = 1;
 */
export interface AuditReport {
  readonly tool: { readonly name: '@bulwark/cli'; readonly version: string };
  readonly startedAt: string;
  readonly durationMs: number;
  readonly targets: readonly { readonly given: string; readonly url: string; readonly status: number }[];
  /** By area (report order), then most severe first. */
  readonly findings: readonly Finding[];
  readonly notChecked: readonly NotChecked[];
  /** Probes that did not complete (timeouts, caps, cut bodies); non-empty means the audit is incomplete. */
  readonly warnings: readonly string[];
  readonly requests: number;
  readonly maxRequests: number;
}

/** Progress hooks for the terminal: which phase runs and each request as it is sent. */
export interface AuditHooks {
  readonly onRequest?: (info: {
    index: number;
    max: number;
    method: string;
    url: string;
    phase: string;
  }) => void;
}

/**
 * Audit the URLs in `options`. Throws `ProbeError` when a URL cannot be fetched at all (unreachable, TLS,
 * not HTTP, redirect to another host): nothing can be judged then. Probes failing later become warnings.
 *
 * @example
 * const report = await audit({ ...DEFAULT_OPTIONS, urls: ['https://api.example.com/orders'], origins: ['https://app.example.com'] });
 */
export async function audit(options: AuditOptions, hooks: AuditHooks = {}): Promise<AuditReport> {
  const started = Date.now();
  const allowedHosts = new Set<string>();
  for (const u of options.urls) allowedHosts.add(new URL(u).hostname.toLowerCase());
  for (const h of options.allowHosts) allowedHosts.add(h.toLowerCase());
  // A URL given by flag is named by the user too.
  if (options.jwksUrl !== undefined) allowedHosts.add(new URL(options.jwksUrl).hostname.toLowerCase());
  let phase = 'baseline';
  const client = createClient({
    timeoutMs: options.timeoutMs,
    maxRequests: options.maxRequests,
    maxBodyBytes: options.maxBodyBytes,
    allowedHosts,
    delayMs: options.delayMs,
    extraHeaders: options.headers,
    userAgent: `bulwark-audit/${VERSION} (+https://www.npmjs.com/package/@bulwark/cli)`,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    onRequest: (info) => hooks.onRequest?.({ ...info, phase }),
  });
  const secrets = new Secrets();
  secrets.add(options.token);
  secrets.add(options.token?.split('.')[2]);
  for (const [, v] of options.headers) secrets.add(v);

  const targets: Target[] = [];
  for (const given of options.urls) {
    const baseline = await client.send({ method: 'GET', url: given, followRedirects: true });
    targets.push({ given, url: new URL(baseline.url), baseline });
  }

  const collected: Collected = { findings: [], notChecked: [] };
  const warnings: string[] = [];
  const ctx: CheckContext = createContext(
    {
      client,
      secrets,
      options,
      targets,
      phase: (label) => {
        phase = label;
      },
    },
    collected,
  );
  const authenticated: ProbeResponse[] = [];
  // JWT runs before headers: the authenticated responses it finds are checked for Cache-Control.
  const areas: { name: string; run: () => Promise<void> }[] = [
    { name: 'cors', run: () => checkCors(ctx) },
    {
      name: 'jwt',
      run: async () => {
        authenticated.push(...(await checkJwt(ctx)));
      },
    },
    { name: 'headers', run: () => checkHeaders(ctx, authenticated) },
    { name: 'ratelimit', run: () => checkRateLimit(ctx) },
    { name: 'webhooks', run: () => checkWebhooks(ctx) },
  ];
  for (const area of areas) {
    try {
      await area.run();
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      warnings.push(`${area.name}: stopped early: ${err.message}`);
    }
  }
  for (const t of client.truncated) {
    warnings.push(
      `${t}: the body exceeded ${options.maxBodyBytes} bytes (--max-body-bytes); read stopped at the cap`,
    );
  }

  const order = (f: Finding) => AREAS.indexOf(f.rule.area) * 10 - severityRank(severityOf(f));
  return {
    tool: { name: '@bulwark/cli', version: VERSION },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    targets: targets.map((t) => ({ given: t.given, url: t.url.href, status: t.baseline.status })),
    findings: [...collected.findings].sort((a, b) => order(a) - order(b)),
    notChecked: collected.notChecked,
    warnings,
    requests: client.count,
    maxRequests: options.maxRequests,
  };
}

/**
 * The process exit code for a report: 1 when a finding reaches `failOn`, else 3 when the audit is
 * incomplete, else 0. (2 is a usage error, decided before any request.)
 *
 * @example
 * process.exitCode = exitCodeFor(report, 'high');
 */
export function exitCodeFor(report: AuditReport, failOn: Severity | 'none'): 0 | 1 | 3 {
  if (failOn !== 'none') {
    const bar = severityRank(failOn);
    if (report.findings.some((f) => severityRank(severityOf(f)) >= bar)) return 1;
  }
  return report.warnings.length > 0 ? 3 : 0;
}
