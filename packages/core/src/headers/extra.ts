import { ConfigError } from '../errors.js';
import type { HeaderPair } from '../verdict.js';
import { oneOf } from './fields.js';
import { checkHeaderText } from './values.js';

/** helmet's four legacy headers, each off unless asked for (an API gains nothing from them). */
export interface LegacyHeaderOptions {
  /** `Origin-Agent-Cluster: ?1`: ask for an origin-keyed agent cluster (pages only). */
  originAgentCluster?: boolean;
  /** `X-DNS-Prefetch-Control`: `'off'` (helmet's value) stops the browser resolving the links of a page. */
  dnsPrefetchControl?: 'off' | 'on' | false;
  /** `X-Download-Options: noopen`: Internet Explorer 8 opening downloads in the site's context. */
  downloadOptions?: boolean;
  /** `X-Permitted-Cross-Domain-Policies` for Adobe Flash/Acrobat; helmet sends `none`. */
  permittedCrossDomainPolicies?: 'none' | 'master-only' | 'by-content-type' | 'all' | false;
}

/** The headers an option of {@link SecurityHeadersOptions} owns: changed through that option, never `extra`. */
const OWNED: Readonly<Record<string, string>> = {
  'content-security-policy': 'csp',
  'content-security-policy-report-only': 'cspReportOnly',
  'reporting-endpoints': 'reportingEndpoints',
  'strict-transport-security': 'hsts',
  'x-frame-options': 'frameOptions',
  'referrer-policy': 'referrerPolicy',
  'permissions-policy': 'permissionsPolicy',
  'cross-origin-opener-policy': 'crossOriginOpenerPolicy',
  'cross-origin-resource-policy': 'crossOriginResourcePolicy',
  'cross-origin-embedder-policy': 'crossOriginEmbedderPolicy',
  'cache-control': 'noStore',
  'origin-agent-cluster': 'originAgentCluster',
  'x-dns-prefetch-control': 'dnsPrefetchControl',
  'x-download-options': 'downloadOptions',
  'x-permitted-cross-domain-policies': 'headers.permittedCrossDomainPolicies',
};

/** Headers that describe the message, not its security: a rule writing them would corrupt the response. */
const FRAMING = new Set([
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
  'set-cookie',
  'date',
  'vary',
]);

/** RFC 9110 field-name token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What the default drops: the framework banner (express writes `X-Powered-By: Express`). */
const REMOVED_BY_DEFAULT = ['x-powered-by'] as const;

/** The legacy headers asked for, in helmet's order. */
export function legacyHeaders(options: LegacyHeaderOptions): HeaderPair[] {
  const pairs: HeaderPair[] = [];
  if (flag('headers.originAgentCluster', options.originAgentCluster))
    pairs.push(['origin-agent-cluster', '?1']);
  if (options.dnsPrefetchControl !== undefined && options.dnsPrefetchControl !== false) {
    const value = oneOf('headers.dnsPrefetchControl', options.dnsPrefetchControl, ['off', 'on'] as const);
    pairs.push(['x-dns-prefetch-control', value]);
  }
  if (flag('headers.downloadOptions', options.downloadOptions)) pairs.push(['x-download-options', 'noopen']);
  const xdp = options.permittedCrossDomainPolicies;
  if (xdp !== undefined && xdp !== false) {
    pairs.push([
      'x-permitted-cross-domain-policies',
      oneOf('headers.permittedCrossDomainPolicies', xdp, [
        'none',
        'master-only',
        'by-content-type',
        'all',
      ] as const),
    ]);
  }
  return pairs;
}

function flag(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new ConfigError(
      option,
      `${JSON.stringify(value)} is not a boolean`,
      `use ${option.slice(option.lastIndexOf('.') + 1)}: true`,
    );
  return value;
}

/**
 * Your own headers (`extra: { 'x-robots-tag': 'noindex' }`) and the ones to remove (`'x-powered-by': false`,
 * the default for that one): the pairs to add, and the lowercase names the adapter removes from the response.
 */
export function customHeaders(extra: Readonly<Record<string, string | false>> | undefined): {
  add: HeaderPair[];
  remove: readonly string[];
} {
  const add: HeaderPair[] = [];
  const remove = new Set<string>(REMOVED_BY_DEFAULT);
  if (extra === undefined) return { add, remove: Object.freeze([...remove]) };
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new ConfigError(
      'headers.extra',
      'must be an object of header name → value or false',
      "e.g. { 'x-robots-tag': 'noindex' }",
    );
  }
  const seen = new Set<string>();
  for (const [raw, value] of Object.entries(extra)) {
    const option = `headers.extra.${raw}`;
    const name = raw.toLowerCase();
    if (!TOKEN.test(raw))
      throw new ConfigError(option, 'is not a header name', 'use letters, digits and - (e.g. x-robots-tag)');
    if (seen.has(name))
      throw new ConfigError(option, `${name} is given twice (names are case-insensitive)`, 'list it once');
    seen.add(name);
    const owner = OWNED[name];
    if (owner !== undefined) {
      throw new ConfigError(
        option,
        `${name} has its own option, which checks its value`,
        `set headers.${owner} instead (false leaves the header out)`,
      );
    }
    if (FRAMING.has(name)) {
      throw new ConfigError(
        option,
        `${name} describes the message, not its security`,
        'set it in your handler',
      );
    }
    if (value === false) {
      remove.add(name);
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigError(
        option,
        `${JSON.stringify(value)} is not a header value`,
        'a non-empty string, or false to remove it',
      );
    }
    checkHeaderText(option, value);
    remove.delete(name);
    add.push([name, value]);
  }
  return { add, remove: Object.freeze([...remove]) };
}
