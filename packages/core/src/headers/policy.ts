import { checkOptions, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { type CompiledCsp, type CspOptions, compileCsp, NONCE, overPreset } from './csp.js';
import { customHeaders, type LegacyHeaderOptions, legacyHeaders } from './extra.js';
import { createNonce } from './csp-sources.js';
import {
  API_PERMISSIONS_POLICY,
  DEFAULT_PERMISSIONS_POLICY,
  type PermissionsPolicy,
  serializePermissionsPolicy,
} from './permissions-policy.js';
import { endpoints, hsts, oneOf, referrer } from './fields.js';
import { RULE, type Rule } from '../rule.js';
import type { Allowed, HeaderPair } from '../verdict.js';
import { freezePairs } from './values.js';

/** Referrer-Policy tokens. */
export type ReferrerPolicyToken =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'origin'
  | 'origin-when-cross-origin'
  | 'same-origin'
  | 'strict-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url';

/** Strict-Transport-Security. */
export interface HstsOptions {
  /** Seconds. Default 31536000 (one year). */
  maxAgeSeconds?: number;
  /** Default true. */
  includeSubDomains?: boolean;
  /** Ask to be in browsers' preload lists: needs maxAgeSeconds ≥ 31536000 and includeSubDomains. */
  preload?: boolean;
}

/** Options of {@link createSecurityHeaders}. Every header has a safe default; `false` leaves it out. */
export interface SecurityHeadersOptions extends LegacyHeaderOptions {
  /** `api` (default): a JSON API that serves no scripts. `web`: HTML with self scripts and per-request nonces. */
  preset?: 'api' | 'web';
  /**
   * Enforced CSP. Its directives are merged over the preset's (`frame-ancestors`, `base-uri`… stay unless
   * you name them; `false` removes one); `useDefaults: false` replaces the preset's policy as a whole.
   */
  csp?: CspOptions | false;
  /** A second policy sent as Content-Security-Policy-Report-Only, e.g. the stricter policy you are rolling out. */
  cspReportOnly?: CspOptions;
  /** Reporting API endpoints, name → URL (`Reporting-Endpoints`); refer to a name with `csp.reportTo`. */
  reportingEndpoints?: Readonly<Record<string, string>>;
  hsts?: HstsOptions | false;
  /** X-Frame-Options for old browsers; CSP frame-ancestors is the modern control. Default DENY. */
  frameOptions?: 'DENY' | 'SAMEORIGIN' | false;
  /** Default strict-origin-when-cross-origin. A list is a fallback chain (last one understood wins). */
  referrerPolicy?: ReferrerPolicyToken | readonly ReferrerPolicyToken[] | false;
  /**
   * Default: `camera=(), geolocation=(), microphone=()` with the `api` preset ({@link API_PERMISSIONS_POLICY}:
   * browsers apply the header to documents only), every powerful feature disabled with `web`
   * ({@link DEFAULT_PERMISSIONS_POLICY}).
   */
  permissionsPolicy?: PermissionsPolicy | false;
  /** Default same-origin. */
  crossOriginOpenerPolicy?:
    | 'same-origin'
    | 'same-origin-allow-popups'
    | 'noopener-allow-popups'
    | 'unsafe-none'
    | false;
  /** Default same-origin (only affects no-cors loads; CORS reads are governed by the CORS policy). */
  crossOriginResourcePolicy?: 'same-origin' | 'same-site' | 'cross-origin' | false;
  /** Not sent by default: it breaks pages that embed cross-origin resources without CORP. */
  crossOriginEmbedderPolicy?: 'require-corp' | 'credentialless' | false;
  /**
   * `Cache-Control: no-store`: on responses to requests that carry credentials (Authorization or Cookie)
   * by default, so shared caches never store a user's data; `always` or `never` otherwise.
   */
  noStore?: 'credentialed' | 'always' | 'never';
  /**
   * Any other header: a string adds it to every response, `false` removes it from the response (where the
   * framework set it before the rule ran). `X-Powered-By` is removed by default; `'x-powered-by': 'Express'`
   * keeps a value. Headers with an option of their own are set through it.
   */
  extra?: Readonly<Record<string, string | false>>;
}

/** What a security-header policy established for one response. */
export interface SecurityHeadersGrant {
  /** Put it in `nonce="…"` of your inline `<script>`/`<style>` tags. Undefined when the policy has no nonce. */
  readonly nonce: string | undefined;
  /** Response headers (lowercase) the adapter removes: `x-powered-by`, and those set `false` in `extra`. */
  readonly remove: readonly string[];
}

/** The request fields the policy reads: whether the request carries credentials (`authorization`, `cookie`). */
export interface HeaderSource {
  header(name: string): string | undefined;
}

/** A precomputed security-header policy. */
export interface SecurityHeaders extends Rule<'headers'> {
  /** True when responses need a fresh nonce, i.e. when {@link SecurityHeaders.check} allocates. */
  readonly usesNonce: boolean;
  /**
   * The headers for the response to `req` (never a refusal). Without nonces this returns one of two frozen
   * precomputed verdicts (with or without `cache-control: no-store`), so applying a policy costs a couple of
   * header lookups. Without a request, the headers of a response to an anonymous request.
   */
  check(req?: HeaderSource): Allowed<SecurityHeadersGrant>;
}

/** `cache-control: no-store`, for responses that carry a user's data (adapters add it after authentication). */
export const NO_STORE: HeaderPair = Object.freeze(['cache-control', 'no-store'] as const);

const KNOWN = optionKeys<SecurityHeadersOptions>()(
  'preset',
  'csp',
  'cspReportOnly',
  'reportingEndpoints',
  'hsts',
  'frameOptions',
  'referrerPolicy',
  'permissionsPolicy',
  'crossOriginOpenerPolicy',
  'crossOriginResourcePolicy',
  'crossOriginEmbedderPolicy',
  'noStore',
  'originAgentCluster',
  'dnsPrefetchControl',
  'downloadOptions',
  'permittedCrossDomainPolicies',
  'extra',
);

const API_CSP: CspOptions = { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } };
const WEB_CSP: CspOptions = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", NONCE],
    styleSrc: ["'self'", NONCE],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Build a security-header policy once; apply it per response with `check`. Everything is validated
 * here: a mistake is a {@link ConfigError} at startup, never a broken header in production.
 *
 * @example
 * const headers = createSecurityHeaders(); // safe API defaults
 * for (const [name, value] of headers.check(req).headers) res.setHeader(name, value);
 */
export function createSecurityHeaders(options: SecurityHeadersOptions = {}): SecurityHeaders {
  checkOptions('headers', options, KNOWN);
  const preset = oneOf('headers.preset', options.preset ?? 'api', ['api', 'web'] as const);
  const names = new Set(Object.keys(options.reportingEndpoints ?? {}));
  const pairs: HeaderPair[] = [];
  const csps: [string, CompiledCsp][] = [];

  if (options.reportingEndpoints !== undefined)
    pairs.push(['reporting-endpoints', endpoints(options.reportingEndpoints)]);
  const presetCsp = preset === 'api' ? API_CSP : WEB_CSP;
  const csp =
    options.csp === undefined
      ? presetCsp
      : options.csp === false
        ? false
        : overPreset(presetCsp, options.csp);
  if (csp !== false) csps.push(['content-security-policy', compileCsp(csp, 'headers.csp', names)]);
  if (options.cspReportOnly !== undefined) {
    csps.push([
      'content-security-policy-report-only',
      compileCsp(options.cspReportOnly, 'headers.cspReportOnly', names),
    ]);
  }
  if (options.hsts !== false) pairs.push(['strict-transport-security', hsts(options.hsts ?? {})]);
  if (options.frameOptions !== false) {
    const fo = options.frameOptions ?? 'DENY';
    if (typeof fo === 'string' && /^allow-from/i.test(fo)) {
      throw new ConfigError(
        'headers.frameOptions',
        'ALLOW-FROM is obsolete and ignored by every current browser',
        "use csp.directives.frameAncestors: ['https://parent.example']",
      );
    }
    pairs.push([
      'x-frame-options',
      oneOf('headers.frameOptions', typeof fo === 'string' ? fo.toUpperCase() : fo, [
        'DENY',
        'SAMEORIGIN',
      ] as const),
    ]);
  }
  pairs.push(['x-content-type-options', 'nosniff']);
  // The legacy XSS auditor could be abused to leak data; 0 turns it off where it still exists.
  pairs.push(['x-xss-protection', '0']);
  if (options.referrerPolicy !== false)
    pairs.push(['referrer-policy', referrer(options.referrerPolicy ?? 'strict-origin-when-cross-origin')]);
  if (options.permissionsPolicy !== false) {
    pairs.push([
      'permissions-policy',
      serializePermissionsPolicy(
        options.permissionsPolicy ?? (preset === 'api' ? API_PERMISSIONS_POLICY : DEFAULT_PERMISSIONS_POLICY),
        'headers.permissionsPolicy',
      ),
    ]);
  }
  if (options.crossOriginOpenerPolicy !== false) {
    pairs.push([
      'cross-origin-opener-policy',
      oneOf('headers.crossOriginOpenerPolicy', options.crossOriginOpenerPolicy ?? 'same-origin', [
        'same-origin',
        'same-origin-allow-popups',
        'noopener-allow-popups',
        'unsafe-none',
      ] as const),
    ]);
  }
  if (options.crossOriginResourcePolicy !== false) {
    pairs.push([
      'cross-origin-resource-policy',
      oneOf('headers.crossOriginResourcePolicy', options.crossOriginResourcePolicy ?? 'same-origin', [
        'same-origin',
        'same-site',
        'cross-origin',
      ] as const),
    ]);
  }
  if (options.crossOriginEmbedderPolicy !== undefined && options.crossOriginEmbedderPolicy !== false) {
    pairs.push([
      'cross-origin-embedder-policy',
      oneOf('headers.crossOriginEmbedderPolicy', options.crossOriginEmbedderPolicy, [
        'require-corp',
        'credentialless',
      ] as const),
    ]);
  }
  pairs.push(...legacyHeaders(options));
  const custom = customHeaders(options.extra);
  pairs.push(...custom.add);
  const noStore = oneOf('headers.noStore', options.noStore ?? 'credentialed', [
    'credentialed',
    'always',
    'never',
  ] as const);

  const usesNonce = csps.some(([, c]) => c.parts.length > 1);
  const staticCsp: HeaderPair[] = usesNonce ? [] : csps.map(([n, c]) => [n, c.parts[0]!] as const);
  const plain = freezePairs([...staticCsp, ...pairs]);
  const withNoStore = freezePairs([...staticCsp, ...pairs, NO_STORE]);
  const needsNoStore =
    noStore === 'credentialed'
      ? (req: HeaderSource | undefined) =>
          req !== undefined &&
          (req.header('authorization') !== undefined || req.header('cookie') !== undefined)
      : () => noStore === 'always';

  if (!usesNonce) {
    const grant: SecurityHeadersGrant = Object.freeze({ nonce: undefined, remove: custom.remove });
    const anonymous: Allowed<SecurityHeadersGrant> = Object.freeze({
      ok: true,
      value: grant,
      headers: noStore === 'always' ? withNoStore : plain,
    });
    const credentialed: Allowed<SecurityHeadersGrant> = Object.freeze({
      ok: true,
      value: grant,
      headers: noStore === 'never' ? plain : withNoStore,
    });
    return Object.freeze({
      [RULE]: 'headers' as const,
      usesNonce,
      check: (req?: HeaderSource) => (needsNoStore(req) ? credentialed : anonymous),
    });
  }
  return Object.freeze({
    [RULE]: 'headers' as const,
    usesNonce,
    check(req?: HeaderSource): Allowed<SecurityHeadersGrant> {
      const nonce = createNonce();
      const source = `'nonce-${nonce}'`;
      const headers: HeaderPair[] = (needsNoStore(req) ? withNoStore : plain).slice();
      for (const [name, compiled] of csps) headers.push([name, compiled.parts.join(source)]);
      return { ok: true, value: { nonce, remove: custom.remove }, headers };
    },
  });
}
