import type { ProbeResponse } from '../client.js';
import type { Rule, Severity } from '../findings.js';
import type { CheckContext } from './context.js';
import { HEADER_RULES as R } from './headers-rules.js';
import {
  cacheDirectives,
  listTokens,
  parseCsp,
  parseHsts,
  scriptSources,
  unsafeScriptSources,
} from './parse.js';

export { HEADER_RULES } from './headers-rules.js';

/** One header problem on one response. */
export interface HeaderIssue {
  readonly rule: Rule;
  readonly detail: string;
  readonly severity?: Severity;
}

const ONE_YEAR = 31_536_000;
const REFERRER_TOKENS = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
// A structured-field dictionary member: feature=() / feature=(self "https://a.example") / feature=* / =self.
// The trailing spaces belong to the item list, so an empty list has one `\s*` (two would be quadratic).
const PERMISSION_MEMBER =
  /^[a-z][a-z0-9-]*(=(\*|self|\(\s*((self|\*|"[^"\\]*")(\s+(self|\*|"[^"\\]*"))*\s*)?\)))?$/;

/** Loopback targets: plain HTTP there is development, not exposure. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Judge one response's security headers. `authenticated`: the request carried credentials (Authorization
 * or Cookie), so the response must not be cacheable by shared caches.
 *
 * @example
 * for (const issue of evaluateHeaders(res)) console.log(issue.rule.id, issue.detail);
 */
export function evaluateHeaders(res: ProbeResponse): HeaderIssue[] {
  const out: HeaderIssue[] = [];
  const url = new URL(res.url);
  const add = (rule: Rule, detail: string, severity?: Severity) =>
    out.push({ rule, detail, ...(severity === undefined ? {} : { severity }) });

  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    add(R.plainHttp, `${url.origin} answered ${res.status} over plain HTTP instead of redirecting to HTTPS`);
  }
  if (url.protocol === 'https:') {
    const hsts = res.headerAll('strict-transport-security');
    if (hsts.length === 0) add(R.hstsMissing, 'no Strict-Transport-Security header on an HTTPS response');
    else {
      // Browsers process only the first header (RFC 6797 §8.1).
      const h = parseHsts(hsts[0]!);
      if (h.problems.length > 0) add(R.hstsInvalid, `${JSON.stringify(hsts[0])}: ${h.problems.join('; ')}`);
      else if (h.maxAge === 0) add(R.hstsDisabled, `${JSON.stringify(hsts[0])}`);
      else {
        if (h.maxAge !== undefined && h.maxAge < ONE_YEAR) {
          add(
            R.hstsShort,
            `max-age=${h.maxAge} (${Math.round(h.maxAge / 86400)} days); use at least 31536000`,
          );
        }
        if (!h.includeSubDomains) add(R.hstsNoSubdomains, JSON.stringify(hsts[0]));
        if (h.preload && (!h.includeSubDomains || (h.maxAge ?? 0) < ONE_YEAR)) {
          add(
            R.hstsPreloadInvalid,
            `${JSON.stringify(hsts[0])}: preload needs max-age ≥ 31536000 and includeSubDomains`,
          );
        }
      }
    }
  }

  const cspValues = res.headerAll('content-security-policy');
  const policies = parseCsp(cspValues);
  if (policies.length === 0) {
    const ro = res.header('content-security-policy-report-only');
    add(
      R.cspMissing,
      ro
        ? 'only Content-Security-Policy-Report-Only is sent (reports, does not block)'
        : 'no Content-Security-Policy header',
    );
  } else {
    // Several policies are all enforced: a source is allowed only if every policy allows it. Judge the
    // strictest governing policy: an unsafe source counts only when no policy restricts scripts safely.
    const governing = policies.map(scriptSources).filter((s): s is readonly string[] => s !== undefined);
    if (governing.length === 0)
      add(
        R.cspNoScriptPolicy,
        `${JSON.stringify(cspValues.join(', '))} has neither script-src nor default-src`,
      );
    else {
      const verdicts = governing.map(unsafeScriptSources);
      const shown = JSON.stringify(cspValues.join(', '));
      if (verdicts.every((v) => v.inline))
        add(R.cspUnsafeInline, `${shown}: 'unsafe-inline' without a nonce or hash`);
      if (verdicts.every((v) => v.eval)) add(R.cspUnsafeEval, shown);
      if (verdicts.every((v) => v.wildcard.length > 0)) {
        add(
          R.cspWildcardScripts,
          `${shown}: ${[...new Set(verdicts.flatMap((v) => v.wildcard))].join(' ')} in script sources`,
        );
      }
    }
  }

  const frameAncestors = policies.some((p) => p.has('frame-ancestors'));
  const xfo = res.header('x-frame-options')?.trim();
  const xfoValid = xfo !== undefined && /^(deny|sameorigin)$/i.test(xfo);
  if (!frameAncestors && !xfoValid) {
    add(
      R.frameable,
      xfo === undefined
        ? 'no CSP frame-ancestors and no X-Frame-Options'
        : `no CSP frame-ancestors; X-Frame-Options ${JSON.stringify(xfo)} is not DENY or SAMEORIGIN`,
    );
  } else if (!frameAncestors) {
    add(R.cspNoFrameAncestors, `X-Frame-Options: ${xfo} only`);
  }

  const nosniff = res.header('x-content-type-options');
  if (nosniff?.trim().toLowerCase() !== 'nosniff') {
    add(
      R.nosniffMissing,
      nosniff === undefined ? 'header absent' : `X-Content-Type-Options: ${JSON.stringify(nosniff)}`,
    );
  }

  const referrer = res.header('referrer-policy');
  // The last token the browser recognises wins (fallback lists).
  const effective = listTokens(referrer)
    .filter((t) => REFERRER_TOKENS.has(t))
    .at(-1);
  if (effective === undefined)
    add(
      R.referrerPolicy,
      referrer === undefined ? 'header absent' : `no valid token in ${JSON.stringify(referrer)}`,
    );
  else if (effective === 'unsafe-url')
    add(R.referrerPolicy, 'unsafe-url sends the full URL to every site, also over HTTP', 'medium');
  else if (effective === 'no-referrer-when-downgrade')
    add(R.referrerPolicy, 'no-referrer-when-downgrade sends the full URL to other HTTPS sites');

  const permissions = res.header('permissions-policy');
  if (permissions === undefined) {
    add(
      R.permissionsPolicy,
      res.header('feature-policy') ? 'only the legacy Feature-Policy header is sent' : 'header absent',
    );
  } else {
    const bad = permissions
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '' && !PERMISSION_MEMBER.test(m.toLowerCase()));
    if (bad.length > 0)
      add(
        R.permissionsPolicy,
        `not structured-field syntax, so browsers drop the header: ${bad.slice(0, 3).join(', ')}`,
      );
  }

  const leaks = [
    ...res.headerAll('x-powered-by').map((v) => `X-Powered-By: ${v}`),
    ...['x-aspnet-version', 'x-aspnetmvc-version'].flatMap((n) => res.headerAll(n).map((v) => `${n}: ${v}`)),
    ...res
      .headerAll('server')
      .filter((v) => /\d/.test(v))
      .map((v) => `Server: ${v}`),
  ];
  if (leaks.length > 0) add(R.poweredBy, leaks.join('; '));

  const cookies = cookieProblems(res.headerAll('set-cookie'), url.protocol === 'https:');
  if (cookies.severe.length > 0) add(R.cookieFlags, cookies.severe.join('; '));
  else if (cookies.mild.length > 0) add(R.cookieFlags, cookies.mild.join('; '), 'low');

  const authenticated = res.request.headers.some(([n]) => n === 'authorization' || n === 'cookie');
  if (authenticated && res.status >= 200 && res.status < 300) {
    const cc = res.header('cache-control');
    const d = cacheDirectives(cc);
    if (!d.has('no-store') && !d.has('private')) {
      add(
        R.cacheAuthenticated,
        `${res.status} to a request with credentials; Cache-Control: ${cc ?? '(absent)'}`,
      );
    } else if (!d.has('no-store')) {
      add(
        R.cacheAuthenticated,
        `Cache-Control: ${cc} (private, but the browser cache keeps it; use no-store)`,
        'low',
      );
    }
  }
  return out;
}

/**
 * The headers area: every target's response, a not-found response per origin (headers set per route are
 * missing exactly there), and the authenticated responses the JWT area recorded.
 */
export async function checkHeaders(ctx: CheckContext, extra: readonly ProbeResponse[] = []): Promise<void> {
  ctx.phase('headers');
  const reported = new Map<string, Set<string>>();
  const report = (res: ProbeResponse, prefix = '') => {
    const origin = new URL(res.url).origin;
    const seen = reported.get(origin) ?? new Set<string>();
    reported.set(origin, seen);
    for (const issue of evaluateHeaders(res)) {
      const key = `${issue.rule.id}:${issue.severity ?? ''}`;
      if (prefix !== '' && seen.has(key)) continue;
      seen.add(key);
      ctx.found(issue.rule, res.url, prefix + issue.detail, [ctx.evidence(res)], issue.severity);
    }
  };
  for (const t of ctx.targets) report(t.baseline);
  for (const res of extra) report(res, 'on the authenticated response: ');
  const origins = [...new Set(ctx.targets.map((t) => t.url.origin))];
  for (const origin of origins) {
    const probe = new URL(`/bulwark-audit-not-found-${Math.random().toString(36).slice(2, 10)}`, origin);
    const res = await ctx.client.send({ method: 'GET', url: probe });
    report(res, `on a ${res.status} response: `);
  }
  for (const origin of origins) {
    const url = new URL(origin);
    if (url.protocol === 'http:' && isLoopback(url.hostname)) {
      ctx.notChecked(
        'headers',
        `HSTS on ${origin}`,
        'an http:// target on this machine; HSTS applies to HTTPS responses only',
      );
    }
  }
}

/**
 * Judge Set-Cookie attributes: missing Secure over HTTPS and SameSite=None without Secure are severe
 * (medium); missing HttpOnly or SameSite are mild (low). Names are reported, values never.
 */
export function cookieProblems(
  values: readonly string[],
  https: boolean,
): { severe: string[]; mild: string[] } {
  const severe: string[] = [];
  const mild: string[] = [];
  for (const value of values) {
    const [pair = '', ...parts] = value.split(';');
    const name = pair.split('=')[0]!.trim();
    const attrs = new Map(
      parts.map((p) => {
        const eq = p.indexOf('=');
        return [
          (eq === -1 ? p : p.slice(0, eq)).trim().toLowerCase(),
          eq === -1
            ? ''
            : p
                .slice(eq + 1)
                .trim()
                .toLowerCase(),
        ];
      }),
    );
    const secure = attrs.has('secure');
    if (https && !secure) severe.push(`${name} without Secure`);
    if (attrs.get('samesite') === 'none' && !secure)
      severe.push(`${name}: SameSite=None without Secure (browsers drop it)`);
    if (!attrs.has('httponly')) mild.push(`${name} without HttpOnly`);
    if (!attrs.has('samesite')) mild.push(`${name} without SameSite`);
  }
  return { severe, mild };
}
