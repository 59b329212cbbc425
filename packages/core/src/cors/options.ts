import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { checkVisible } from '../config/text.js';
import { ConfigError } from '../errors.js';
import type { OnEvent } from '../events.js';
import { Reporter } from '../observe/reporter.js';
import { fullMatch, normaliseOrigin, parseWildcard, type WildcardRule } from './origin.js';

/** Options of {@link createCorsPolicy}. */
export interface CorsOptions {
  /**
   * Who may read responses: exact origins (`https://app.example.com`), one-label wildcards
   * (`https://*.example.com`), full-match RegExps, the string `'null'` (never with credentials), or `'*'`
   * alone for public, credential-less APIs.
   */
  origins?: '*' | readonly (string | RegExp)[];
  /** Send cookies / Authorization cross-origin. Needs explicit origins. Default false. */
  credentials?: boolean;
  /**
   * Default GET, HEAD, POST, PUT, PATCH, DELETE. Sent as the explicit list, never reflected. As in the Fetch
   * standard, only DELETE, GET, HEAD, OPTIONS, POST and PUT are case-insensitive (upper-cased); any other
   * method is matched exactly as written (`patch` and `PATCH` are two methods).
   */
  methods?: readonly string[];
  /** Request headers a page may send. Default `authorization`, `content-type`. Never reflected. */
  allowedHeaders?: readonly string[];
  /** Response headers a page may read beyond the safelisted ones. */
  exposedHeaders?: readonly string[];
  /** Seconds a browser may cache a preflight. Default 600; Chromium caps at 7200, Firefox at 86400. */
  maxAgeSeconds?: number;
  /** Answer Private Network Access preflights (`Access-Control-Allow-Private-Network: true`). Default false. */
  allowPrivateNetwork?: boolean;
  /** Refuse actual requests from other origins with 403 instead of only withholding the grant. Default false. */
  rejectDisallowedOrigins?: boolean;
  /** Echo any syntactically valid origin. Refused with credentials: it would hand every site the user's data. */
  dangerouslyReflectAnyOrigin?: true;
  /** Receives `cors.denied` events and `cors.config_warning` (also held for the app's sink; the console only without one). */
  onEvent?: OnEvent;
}

/** A policy's options, validated: the origins parsed, the lists normalised, the reporter built. */
export interface CorsSettings {
  readonly credentials: boolean;
  /** `dangerouslyReflectAnyOrigin`. */
  readonly reflect: boolean;
  /** `origins: '*'`. */
  readonly star: boolean;
  readonly exact: ReadonlySet<string>;
  readonly wildcards: readonly WildcardRule[];
  readonly regexes: readonly RegExp[];
  readonly methods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposed: readonly string[];
  readonly maxAgeSeconds: number;
  readonly pna: boolean;
  readonly rejectOthers: boolean;
  readonly events: Reporter;
}

const KNOWN = optionKeys<CorsOptions>()(
  'origins',
  'credentials',
  'methods',
  'allowedHeaders',
  'exposedHeaders',
  'maxAgeSeconds',
  'allowPrivateNetwork',
  'rejectDisallowedOrigins',
  'dangerouslyReflectAnyOrigin',
  'onEvent',
);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Fetch standard, "normalize a method": only these six are upper-cased, by browsers and here. Any other method
// keeps its case on both sides and is compared byte for byte: `fetch(url, { method: 'patch' })` asks for
// `patch`, which an allowed `PATCH` does not cover.
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

function tokens(path: string, value: unknown, fallback: readonly string[], methods: boolean): string[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value)) throw new ConfigError(path, 'must be a list', "e.g. ['GET', 'POST']");
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const t: unknown = value[i];
    if (typeof t === 'string') checkVisible(`${path}[${i}]`, t);
    if (typeof t !== 'string' || !TOKEN.test(t)) {
      throw new ConfigError(
        `${path}[${i}]`,
        `${JSON.stringify(t)} is not an HTTP token`,
        'one method or header name per item, no commas or spaces',
      );
    }
    const n = methods ? normaliseMethod(t) : t.toLowerCase();
    if (methods && FORBIDDEN_METHODS.has(t.toUpperCase()))
      throw new ConfigError(`${path}[${i}]`, `${t} is forbidden by browsers`, 'remove it');
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validate CORS options: every unsafe combination is a {@link ConfigError}; a preflight cache above the
 * browsers' caps is a `cors.config_warning`.
 *
 * @example
 * corsSettings({ origins: ['https://app.example.com'] }).exact // Set { 'https://app.example.com' }
 */
export function corsSettings(options: CorsOptions): CorsSettings {
  if (!isPlainObject(options))
    throw new ConfigError('cors', 'options are required', "e.g. { origins: ['https://app.example.com'] }");
  checkOptions('cors', options, KNOWN);
  const credentials = options.credentials ?? false;
  if (typeof credentials !== 'boolean')
    throw new ConfigError('cors.credentials', 'must be a boolean', 'true or false');
  const reflect = options.dangerouslyReflectAnyOrigin === true;
  const star = options.origins === '*';
  if (reflect && credentials) {
    throw new ConfigError(
      'cors.dangerouslyReflectAnyOrigin',
      "reflecting any origin with credentials lets every website read your users' data",
      'list the exact origins that may call you',
    );
  }
  if (star && credentials) {
    throw new ConfigError(
      'cors.origins',
      "'*' with credentials is refused by browsers and would expose user data",
      'list exact origins',
    );
  }
  if (reflect === (options.origins !== undefined)) {
    throw new ConfigError(
      'cors.origins',
      reflect ? 'cannot be combined with dangerouslyReflectAnyOrigin' : 'is required',
      "e.g. ['https://app.example.com']",
    );
  }
  const exact = new Set<string>();
  const wildcards: WildcardRule[] = [];
  const regexes: RegExp[] = [];
  if (!star && !reflect) {
    const list = options.origins;
    if (!Array.isArray(list) || list.length === 0)
      throw new ConfigError(
        'cors.origins',
        "must be a non-empty list or '*'",
        "e.g. ['https://app.example.com']",
      );
    list.forEach((o: unknown, i) => {
      const p = `cors.origins[${i}]`;
      if (typeof o === 'string') checkVisible(p, o);
      if (o instanceof RegExp) {
        checkVisible(`${p}.source`, o.source);
        regexes.push(fullMatch(o, p));
      } else if (typeof o !== 'string')
        throw new ConfigError(p, 'must be a string or a RegExp', "e.g. 'https://app.example.com'");
      else if (o === '*')
        throw new ConfigError(
          p,
          "'*' inside a list is ambiguous",
          "use origins: '*' alone (no credentials) or list exact origins",
        );
      else if (o === 'null') {
        if (credentials)
          throw new ConfigError(
            p,
            "the 'null' origin is shared by sandboxed frames and local files of every site",
            "remove 'null' or drop credentials",
          );
        exact.add('null');
      } else if (o.includes('*')) wildcards.push(parseWildcard(o, p));
      else exact.add(normaliseOrigin(o, p));
    });
  }
  const methods = tokens(
    'cors.methods',
    options.methods,
    ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    true,
  );
  const allowedHeaders = tokens(
    'cors.allowedHeaders',
    options.allowedHeaders,
    ['authorization', 'content-type'],
    false,
  );
  const exposed = tokens('cors.exposedHeaders', options.exposedHeaders, [], false);
  if (credentials) {
    for (const [name, list] of [
      ['methods', methods],
      ['allowedHeaders', allowedHeaders],
      ['exposedHeaders', exposed],
    ] as const) {
      if (list.includes('*'))
        throw new ConfigError(
          `cors.${name}`,
          "'*' is a literal name, not a wildcard, when credentials are sent",
          'list the exact names',
        );
    }
  }
  // Above the browsers' caps is only a warning (below); a year bounds what could be meant.
  const events = new Reporter(options.onEvent, 'cors');
  const maxAgeSeconds = numberOption('cors.maxAgeSeconds', options.maxAgeSeconds, {
    min: 0,
    max: 31_536_000,
    fallback: 600,
  });
  if (maxAgeSeconds > 7200) {
    const message = `cors.maxAgeSeconds ${maxAgeSeconds}s is above ${maxAgeSeconds > 86400 ? 'every browser cap (Firefox 86400s, Chromium 7200s)' : 'the Chromium cap of 7200s'}; browsers will use their cap`;
    events.emit({ type: 'cors.config_warning', detail: message });
  }
  const pna = options.allowPrivateNetwork ?? false;
  const rejectOthers = options.rejectDisallowedOrigins ?? false;
  return {
    credentials,
    reflect,
    star,
    exact,
    wildcards,
    regexes,
    methods,
    allowedHeaders,
    exposed,
    maxAgeSeconds,
    pna,
    rejectOthers,
    events,
  };
}
