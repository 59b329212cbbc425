import { checkOptions, optionKeys, suggestOption } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { checkHeaderText } from './values.js';
import { type CompiledCsp, type CspOptions, NONCE } from './csp-types.js';

export { NONCE } from './csp-types.js';
export type {
  CompiledCsp,
  CspDirectives,
  CspHashSource,
  CspKeyword,
  CspOptions,
  CspSandboxToken,
  CspSource,
} from './csp-types.js';

const SOURCE_LIST = new Set([
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'connect-src',
  'media-src',
  'object-src',
  'frame-src',
  'child-src',
  'worker-src',
  'manifest-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
]);
const OTHER = new Set(['sandbox', 'upgrade-insecure-requests', 'require-trusted-types-for', 'trusted-types']);
const SCRIPT = new Set(['script-src', 'script-src-elem', 'script-src-attr']);
const NONCE_OK = new Set(['default-src', 'script-src', 'script-src-elem', 'style-src', 'style-src-elem']);
const KEYWORDS = new Set([
  'self',
  'none',
  'unsafe-inline',
  'unsafe-eval',
  'strict-dynamic',
  'unsafe-hashes',
  'report-sample',
  'wasm-unsafe-eval',
  'inline-speculation-rules',
]);
const HASH = /^'sha(256|384|512)-([A-Za-z0-9+/]+={0,2})'$/;
const HASH_LEN: Record<string, number> = { '256': 44, '384': 64, '512': 88 };
const SCHEME = /^[a-z][a-z0-9+.-]*:$/i;
const HOST =
  /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(?:\d{1,5}|\*))?(?:\/[^\s;,'"]*)?$/i;
const UNSAFE_SCRIPT = new Set(["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:', 'data:', 'blob:']);
const SANDBOX = /^allow-[a-z-]+$/;

/** The directive names as option keys (`script-src` → `scriptSrc`), for suggesting a near miss. */
const DIRECTIVE_KEYS = [...SOURCE_LIST, ...OTHER].map((d) =>
  d
    .split('-')
    .map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join(''),
);

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function checkSource(
  path: string,
  name: string,
  source: unknown,
  opts: CspOptions,
  scripts: boolean,
): string {
  if (typeof source !== 'string' || source === '') {
    throw new ConfigError(path, 'must be a non-empty string', "e.g. \"'self'\" or 'https://cdn.example.com'");
  }
  checkHeaderText(path, source);
  if (/[\s;,]/.test(source)) {
    throw new ConfigError(
      path,
      `'${source}' contains whitespace, ';' or ','`,
      'give each source as its own list item',
    );
  }
  const bare = source.toLowerCase();
  if (KEYWORDS.has(bare) || /^(nonce|sha256|sha384|sha512)-/.test(bare)) {
    throw new ConfigError(
      path,
      `${source} is a keyword and must be single-quoted, or the browser reads it as a host name`,
      `write "'${source}'"`,
    );
  }
  if (source.startsWith("'")) {
    if (source === NONCE) {
      if (!NONCE_OK.has(name))
        throw new ConfigError(
          path,
          `a nonce has no meaning in ${name}`,
          'use NONCE in script-src or style-src',
        );
      return source;
    }
    if (/^'nonce-/i.test(source)) {
      throw new ConfigError(
        path,
        'a fixed nonce is the same on every response and protects nothing',
        'use the NONCE placeholder for a fresh nonce per response',
      );
    }
    const hash = HASH.exec(source);
    if (hash !== null) {
      if (hash[2]!.length !== HASH_LEN[hash[1]!])
        throw new ConfigError(
          path,
          `${source} is not a valid sha${hash[1]} digest`,
          'compute it with cspHash(source)',
        );
      return source;
    }
    const keyword = source.slice(1, -1);
    if (!source.endsWith("'") || !KEYWORDS.has(keyword.toLowerCase())) {
      throw new ConfigError(
        path,
        `${source} is not a CSP keyword`,
        "use 'self', 'none', 'strict-dynamic', a hash, NONCE or a host",
      );
    }
    if (keyword !== keyword.toLowerCase())
      throw new ConfigError(path, `${source} must be lowercase`, `write "'${bare.slice(1, -1)}'"`);
  } else if (!SCHEME.test(source) && !HOST.test(source)) {
    throw new ConfigError(
      path,
      `'${source}' is neither a host nor a scheme source`,
      "e.g. 'https://cdn.example.com' or 'data:'",
    );
  }
  if (scripts && UNSAFE_SCRIPT.has(bare) && opts.dangerouslyAllowUnsafeScripts !== true) {
    throw new ConfigError(
      path,
      `${source} in ${name} lets injected scripts run and defeats CSP`,
      "use NONCE or hashes with 'strict-dynamic' (or set dangerouslyAllowUnsafeScripts: true)",
    );
  }
  return source;
}

function sourceList(
  path: string,
  name: string,
  value: unknown,
  opts: CspOptions,
  scriptFallback: boolean,
): string {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(path, 'must be a non-empty list of sources', 'use ["\'none\'"] to allow nothing');
  }
  const out: string[] = [];
  // default-src only governs scripts when script-src is absent.
  const scripts = SCRIPT.has(name) || (name === 'default-src' && scriptFallback);
  for (let i = 0; i < value.length; i++) {
    const s = checkSource(`${path}[${i}]`, name, value[i], opts, scripts);
    if (!out.includes(s)) out.push(s);
  }
  if (out.includes("'none'") && out.length > 1) {
    throw new ConfigError(
      path,
      "'none' combined with other sources is ignored by browsers",
      "use 'none' alone or drop it",
    );
  }
  return `${name} ${out.join(' ')}`;
}

function other(path: string, name: string, value: unknown): string | undefined {
  switch (name) {
    case 'upgrade-insecure-requests':
      if (typeof value !== 'boolean') throw new ConfigError(path, 'must be a boolean', 'true or false');
      return value ? name : undefined;
    case 'sandbox':
      if (value === true) return name;
      if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || !SANDBOX.test(t))) {
        throw new ConfigError(path, 'must be true or a list of allow-* tokens', "e.g. ['allow-scripts']");
      }
      return value.length === 0 ? name : `${name} ${value.join(' ')}`;
    case 'require-trusted-types-for':
      if (!Array.isArray(value) || value.length !== 1 || value[0] !== "'script'") {
        throw new ConfigError(path, 'must be ["\'script\'"]', 'use ["\'script\'"]');
      }
      return `${name} 'script'`;
    default: {
      if (
        !Array.isArray(value) ||
        value.some((t) => typeof t !== 'string' || !/^[A-Za-z0-9\-#=_/@.%*']+$/.test(t))
      ) {
        throw new ConfigError(
          path,
          'must be a list of policy names',
          "e.g. ['default', \"'allow-duplicates'\"]",
        );
      }
      return value.length === 0 ? name : `${name} ${value.join(' ')}`;
    }
  }
}

const CSP_KEYS = optionKeys<CspOptions>()(
  'directives',
  'useDefaults',
  'reportUri',
  'reportTo',
  'dangerouslyAllowUnsafeScripts',
);

/**
 * Validate CSP options and serialise them once. Every problem is a {@link ConfigError} naming the directive.
 * `endpoints` are the names declared in `reportingEndpoints`, for checking `reportTo`.
 *
 * @example
 * compileCsp({ directives: { defaultSrc: ["'none'"] } }, 'csp', new Set()).parts // ["default-src 'none'"]
 */
export function compileCsp(opts: CspOptions, path: string, endpoints: ReadonlySet<string>): CompiledCsp {
  if (typeof opts === 'object' && opts !== null) checkOptions(path, opts, CSP_KEYS);
  if (
    typeof opts !== 'object' ||
    opts === null ||
    typeof opts.directives !== 'object' ||
    opts.directives === null
  ) {
    throw new ConfigError(`${path}.directives`, 'is required', 'e.g. { defaultSrc: ["\'none\'"] }');
  }
  const entries = Object.entries(opts.directives as Record<string, unknown>).filter(
    ([, v]) => v !== undefined && v !== false,
  );
  const seen = new Set<string>();
  for (const [key] of entries) {
    const name = key.includes('-') ? key.toLowerCase() : kebab(key);
    if (seen.has(name))
      throw new ConfigError(
        `${path}.directives.${key}`,
        `${name} is given twice; browsers use only the first`,
        'merge the sources into one list',
      );
    if (!SOURCE_LIST.has(name) && !OTHER.has(name)) {
      const near =
        name === 'report-uri' || name === 'report-to' ? undefined : suggestOption(key, DIRECTIVE_KEYS);
      const hint =
        name === 'report-uri' || name === 'report-to'
          ? `set ${path}.reportUri / ${path}.reportTo instead`
          : near === undefined
            ? 'check the spelling (camelCase, e.g. scriptSrc)'
            : `rename it to ${near}`;
      const problem = `unknown directive ${name}${near === undefined ? '' : ` (did you mean ${near}?)`}`;
      throw new ConfigError(`${path}.directives.${key}`, problem, hint);
    }
    seen.add(name);
  }
  const hasScriptSrc = seen.has('script-src');
  const directives: string[] = [];
  for (const [key, value] of entries) {
    const name = key.includes('-') ? key.toLowerCase() : kebab(key);
    const p = `${path}.directives.${key}`;
    const text = SOURCE_LIST.has(name)
      ? sourceList(p, name, value, opts, !hasScriptSrc)
      : other(p, name, value);
    if (text !== undefined) directives.push(text);
  }
  if (opts.reportUri !== undefined) {
    const uri = opts.reportUri;
    if (typeof uri !== 'string' || !(/^https?:\/\/[^\s;,]+$/i.test(uri) || /^\/[^\s;,]*$/.test(uri))) {
      throw new ConfigError(
        `${path}.reportUri`,
        `'${String(uri)}' is not an absolute http(s) URL or a path`,
        "e.g. '/csp-reports'",
      );
    }
    checkHeaderText(`${path}.reportUri`, uri);
    directives.push(`report-uri ${uri}`);
  }
  if (opts.reportTo !== undefined) {
    if (!endpoints.has(opts.reportTo)) {
      throw new ConfigError(
        `${path}.reportTo`,
        `'${String(opts.reportTo)}' is not declared in reportingEndpoints`,
        'add it to reportingEndpoints: { name: url }',
      );
    }
    directives.push(`report-to ${opts.reportTo}`);
  }
  if (directives.length === 0)
    throw new ConfigError(`${path}.directives`, 'is empty', 'e.g. { defaultSrc: ["\'none\'"] }');
  return Object.freeze({ parts: Object.freeze(directives.join('; ').split(NONCE)) });
}

/**
 * `csp` as the policy to compile: its directives merged over the preset's (a directive named in both takes
 * `given`'s value, in camelCase or kebab-case; `false` removes it), or `given` alone with `useDefaults: false`.
 * Anything that is not an options object is returned as it is, for {@link compileCsp} to refuse by name.
 */
export function overPreset(preset: CspOptions, given: CspOptions): CspOptions {
  if (typeof given !== 'object' || given === null) return given;
  if (given.useDefaults !== undefined && typeof given.useDefaults !== 'boolean') {
    throw new ConfigError(
      'headers.csp.useDefaults',
      `${JSON.stringify(given.useDefaults)} is not a boolean`,
      'true (merge over the preset, the default) or false',
    );
  }
  if (given.useDefaults === false || typeof given.directives !== 'object' || given.directives === null) {
    return given;
  }
  // The preset's order, each directive you name in its place; yours that the preset lacks after them.
  const yours = new Map(
    Object.entries(given.directives).map(([k, v]) => [k.includes('-') ? k.toLowerCase() : kebab(k), [k, v]]),
  );
  const directives: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(preset.directives)) {
    const mine = yours.get(kebab(key));
    if (mine === undefined) directives[key] = value;
    else {
      directives[mine[0]] = mine[1];
      yours.delete(kebab(key));
    }
  }
  for (const [key, value] of yours.values()) directives[key] = value;
  return { ...given, directives: directives as CspOptions['directives'] };
}
