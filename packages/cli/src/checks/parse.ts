/**
 * Parsers for the response headers the audit reads. They never throw: whatever a server sends, the audit
 * reports on it.
 */

export interface Hsts {
  /** undefined when absent or malformed. */
  readonly maxAge: number | undefined;
  readonly includeSubDomains: boolean;
  readonly preload: boolean;
  /** Why browsers would ignore the header (RFC 6797 §6.1), empty when valid. */
  readonly problems: readonly string[];
}

/**
 * Parse Strict-Transport-Security the way browsers do: directives split on `;`, names case-insensitive,
 * `max-age` required exactly once with a delta-seconds value (quoted allowed), no directive repeated.
 *
 * @example
 * parseHsts('max-age=31536000; includeSubDomains').maxAge // 31536000
 */
export function parseHsts(value: string): Hsts {
  const problems: string[] = [];
  const seen = new Set<string>();
  let maxAge: number | undefined;
  for (const raw of value.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    let v = eq === -1 ? undefined : part.slice(eq + 1).trim();
    if (seen.has(name)) problems.push(`directive ${name} appears twice`);
    seen.add(name);
    if (name === 'max-age') {
      if (v !== undefined && v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      if (v === undefined || !/^\d{1,15}$/.test(v))
        problems.push(`max-age value ${JSON.stringify(v ?? '')} is not a number of seconds`);
      else if (maxAge === undefined) maxAge = Number(v);
    }
  }
  if (!seen.has('max-age')) problems.push('max-age is missing');
  return {
    maxAge: problems.length === 0 ? maxAge : undefined,
    includeSubDomains: seen.has('includesubdomains'),
    preload: seen.has('preload'),
    problems,
  };
}

/** One Content-Security-Policy: directive name (lower case) → source list, first occurrence wins. */
export type CspPolicy = ReadonlyMap<string, readonly string[]>;

/**
 * Parse Content-Security-Policy header values into policies. Several headers, or one header with `,`,
 * are several policies, all enforced (CSP3 §2.2.2).
 *
 * @example
 * parseCsp(["default-src 'none'; frame-ancestors 'none'"])[0].get('frame-ancestors') // ["'none'"]
 */
export function parseCsp(values: readonly string[]): CspPolicy[] {
  const policies: CspPolicy[] = [];
  for (const value of values) {
    for (const serialized of value.split(',')) {
      const policy = new Map<string, string[]>();
      for (const token of serialized.split(';')) {
        const words = token
          .trim()
          .split(/[\t\n\f\r ]+/)
          .filter(Boolean);
        const name = words[0]?.toLowerCase();
        if (name === undefined || policy.has(name)) continue;
        policy.set(name, words.slice(1));
      }
      if (policy.size > 0) policies.push(policy);
    }
  }
  return policies;
}

/** The sources that govern classic scripts in a policy: `script-src`, else `default-src`, else none. */
export function scriptSources(policy: CspPolicy): readonly string[] | undefined {
  return policy.get('script-src') ?? policy.get('default-src');
}

/** Sources in a script list that let an attacker's script run. */
export function unsafeScriptSources(sources: readonly string[]): {
  inline: boolean;
  eval: boolean;
  wildcard: readonly string[];
} {
  const lower = sources.map((s) => s.toLowerCase());
  // With a nonce or hash (CSP2+) or 'strict-dynamic' (CSP3), browsers ignore 'unsafe-inline'.
  const neutralised = lower.some(
    (s) => s.startsWith("'nonce-") || /^'sha(256|384|512)-/.test(s) || s === "'strict-dynamic'",
  );
  return {
    inline: lower.includes("'unsafe-inline'") && !neutralised,
    eval: lower.includes("'unsafe-eval'"),
    wildcard: lower.filter(
      (s) => s === '*' || s === 'http:' || s === 'https:' || s === 'data:' || s === 'blob:',
    ),
  };
}

/** The comma-separated tokens of a list header (Vary, Access-Control-Allow-Methods…), trimmed, lower case. */
export function listTokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** Cache-Control directives (lower case names) present in the value. */
export function cacheDirectives(value: string | undefined): Set<string> {
  return new Set(listTokens(value).map((d) => d.split('=')[0]!.trim()));
}
