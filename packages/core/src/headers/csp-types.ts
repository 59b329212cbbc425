/**
 * Placeholder for the per-request nonce in a source list. Each response gets a fresh `'nonce-…'` in its
 * place (128 bits from the platform CSPRNG); the value is handed to your handler/template.
 *
 * @example
 * createSecurityHeaders({ csp: { directives: { scriptSrc: ["'self'", NONCE] } } });
 */
export const NONCE = "'nonce'" as const;

/** CSP keyword sources, always written with their single quotes. */
export type CspKeyword =
  | "'self'"
  | "'none'"
  | "'unsafe-inline'"
  | "'unsafe-eval'"
  | "'strict-dynamic'"
  | "'unsafe-hashes'"
  | "'report-sample'"
  | "'wasm-unsafe-eval'"
  | "'inline-speculation-rules'";

/** A hash source such as `'sha256-…'` (see {@link cspHash}). */
export type CspHashSource = `'sha256-${string}'` | `'sha384-${string}'` | `'sha512-${string}'`;

/** One item of a source list: a keyword, a hash, {@link NONCE}, or a host/scheme source (`https://cdn.example.com`, `data:`). */
export type CspSource = CspKeyword | CspHashSource | typeof NONCE | (string & {});

/** Tokens accepted by `sandbox`. */
export type CspSandboxToken =
  | 'allow-downloads'
  | 'allow-forms'
  | 'allow-modals'
  | 'allow-orientation-lock'
  | 'allow-pointer-lock'
  | 'allow-popups'
  | 'allow-popups-to-escape-sandbox'
  | 'allow-presentation'
  | 'allow-same-origin'
  | 'allow-scripts'
  | 'allow-top-navigation'
  | 'allow-top-navigation-by-user-activation'
  | 'allow-top-navigation-to-custom-protocols';

type SourceList = readonly CspSource[];

/**
 * CSP directives as a typed object. Keys are camelCase (`scriptSrc` → `script-src`); order is kept. `false`
 * leaves a directive out (in `csp`, it removes the preset's).
 */
export interface CspDirectives {
  defaultSrc?: SourceList | false;
  scriptSrc?: SourceList | false;
  scriptSrcElem?: SourceList | false;
  scriptSrcAttr?: SourceList | false;
  styleSrc?: SourceList | false;
  styleSrcElem?: SourceList | false;
  styleSrcAttr?: SourceList | false;
  imgSrc?: SourceList | false;
  fontSrc?: SourceList | false;
  connectSrc?: SourceList | false;
  mediaSrc?: SourceList | false;
  objectSrc?: SourceList | false;
  frameSrc?: SourceList | false;
  childSrc?: SourceList | false;
  workerSrc?: SourceList | false;
  manifestSrc?: SourceList | false;
  baseUri?: SourceList | false;
  formAction?: SourceList | false;
  frameAncestors?: SourceList | false;
  /** `true` for a bare `sandbox` (everything restricted), or the tokens to relax. */
  sandbox?: true | readonly CspSandboxToken[] | false;
  upgradeInsecureRequests?: boolean;
  requireTrustedTypesFor?: readonly "'script'"[] | false;
  trustedTypes?: readonly string[] | false;
}

/** A content security policy: directives plus where violation reports go. */
export interface CspOptions {
  /**
   * In `csp`, merged over the preset's directives: a directive you name replaces the preset's, `false`
   * removes it, the others (`frame-ancestors`, `base-uri`…) stay. In `cspReportOnly`, the whole policy.
   */
  directives: CspDirectives;
  /** `csp` only. `false`: `directives` replace the preset's policy as a whole instead of merging over it. */
  useDefaults?: boolean;
  /** `report-uri` for browsers without the Reporting API. Absolute https URL or a path. */
  reportUri?: string;
  /** `report-to` endpoint name; must be a key of `reportingEndpoints`. */
  reportTo?: string;
  /** Allow `'unsafe-inline'`, `'unsafe-eval'`, `*` or bare schemes in script sources. They turn CSP's XSS defence off. */
  dangerouslyAllowUnsafeScripts?: true;
}

/** A compiled policy: join `parts` with the `'nonce-…'` source to get the header value. */
export interface CompiledCsp {
  readonly parts: readonly string[];
}
