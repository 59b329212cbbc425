import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { checkHeaderText } from './values.js';
import type { HstsOptions, ReferrerPolicyToken } from './policy.js';

const REFERRER = new Set<string>([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
const ENDPOINT_NAME = /^[a-z*][a-z0-9_\-.*]*$/;

/** The value if it is one of `allowed`. */
export function oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      path,
      `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`,
      `use ${allowed[0]}`,
    );
  }
  return value as T;
}

/** Serialise Strict-Transport-Security, refusing preload without its requirements. */
const HSTS_KEYS = optionKeys<HstsOptions>()('maxAgeSeconds', 'includeSubDomains', 'preload');

export function hsts(value: HstsOptions): string {
  checkOptions('headers.hsts', value, HSTS_KEYS);
  // Up to two years, what hstspreload.org recommends; 0 tells browsers to forget the host.
  const maxAgeSeconds = numberOption('headers.hsts.maxAgeSeconds', value.maxAgeSeconds, {
    min: 0,
    max: 63_072_000,
    fallback: 31_536_000,
  });
  const sub = value.includeSubDomains ?? true;
  if (value.preload === true && (maxAgeSeconds < 31_536_000 || !sub)) {
    throw new ConfigError(
      'headers.hsts.preload',
      'preload lists require max-age ≥ 31536000 and includeSubDomains',
      'raise maxAgeSeconds and keep includeSubDomains, or drop preload',
    );
  }
  return `max-age=${maxAgeSeconds}${sub ? '; includeSubDomains' : ''}${value.preload === true ? '; preload' : ''}`;
}

/** Serialise Referrer-Policy from known tokens only. */
export function referrer(value: ReferrerPolicyToken | readonly ReferrerPolicyToken[]): string {
  const list: readonly unknown[] = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError(
      'headers.referrerPolicy',
      'must be a token or a non-empty list',
      "e.g. 'strict-origin-when-cross-origin'",
    );
  for (const t of list) {
    if (typeof t !== 'string' || !REFERRER.has(t)) {
      throw new ConfigError(
        'headers.referrerPolicy',
        `${JSON.stringify(t)} is not a Referrer-Policy token`,
        "use 'strict-origin-when-cross-origin' or 'no-referrer'",
      );
    }
  }
  return list.join(', ');
}

/** Serialise Reporting-Endpoints as a structured dictionary of quoted URLs. */
export function endpoints(value: Readonly<Record<string, string>>): string {
  const items: string[] = [];
  for (const [name, url] of Object.entries(value)) {
    const p = `headers.reportingEndpoints.${name}`;
    if (!ENDPOINT_NAME.test(name))
      throw new ConfigError(
        p,
        `'${name}' is not a valid endpoint name`,
        "use lowercase letters, digits, '-' or '_'",
      );
    if (typeof url !== 'string')
      throw new ConfigError(p, 'must be a URL string', "e.g. 'https://example.com/reports'");
    checkHeaderText(p, url);
    // The Reporting API only delivers to potentially trustworthy URLs.
    const trustworthy =
      /^https:\/\/[^\s"\\]+$/i.test(url) ||
      /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/[^\s"\\]*)?$/i.test(url) ||
      /^\/[^\s"\\]*$/.test(url);
    if (!trustworthy)
      throw new ConfigError(
        p,
        `'${url}' is not an https URL or a path`,
        'browsers only send reports to https (or localhost) endpoints',
      );
    items.push(`${name}="${url}"`);
  }
  if (items.length === 0)
    throw new ConfigError(
      'headers.reportingEndpoints',
      'is empty',
      'declare at least one endpoint or leave the option out',
    );
  return items.join(', ');
}
