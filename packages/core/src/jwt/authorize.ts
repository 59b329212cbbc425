import { checkOptions, optionKeys } from '../config/options.js';
import { ConfigError, SecurityError } from '../errors.js';
import type { CertificateBindingOptions, CertificateBoundOption } from '../mtls/binding.js';
import type { DpopMode } from '../dpop/options.js';
import { allow, deny, type Verdict } from '../verdict.js';
import { JWT_ERRORS } from './errors.js';

/** Per-route authorization of an already verified token. */
export interface JwtRouteOptions {
  /** Every one of these scopes must be granted (`scope` space-separated string, or `scp` array/string). */
  scopes?: readonly string[];
  /** Extra predicate over the verified claims (tenant, role, `acr`…); false means 403. */
  claims?: (claims: Readonly<Record<string, unknown>>) => boolean;
  /**
   * RFC 8705 certificate-bound tokens: a token with `cnf["x5t#S256"]` must match the client certificate
   * (the one a trusted proxy forwarded when the mTLS rule ran first, else the TLS peer's), else 401
   * `MTLS_TOKEN_BINDING_MISMATCH`; with `required: true` an unbound token is refused too.
   */
  certificateBound?: CertificateBoundOption;
  /**
   * RFC 9449 sender-constrained tokens on this route: `'required'` takes only `Authorization: DPoP` with a
   * proof (a bearer token is 401 `DPOP_REQUIRED`, a token without `cnf.jkt` 401 `DPOP_TOKEN_NOT_BOUND`),
   * `'allowed'` takes both schemes, `'off'` bearer tokens only. Default: the verifier's `dpop.mode` when it
   * has a `dpop` option, else `'off'`. A DPoP-bound token (`cnf.jkt`) sent as `Bearer` is refused in every
   * mode: 401 `DPOP_REQUIRED` in `'required'`, 401 `DPOP_BOUND_TOKEN_AS_BEARER` in the others.
   */
  dpop?: DpopMode;
  /**
   * Optional authentication (express-jwt's `credentialsRequired: false`): a request that carries no
   * credentials at all (no `Authorization` header, no `access_token` in the query) goes on anonymously, with
   * no claims. A request with credentials is verified as on any route: a bad, expired or insufficient
   * token is refused (401/403), never let through as anonymous. Several levels (a controller's and its
   * handler's rules) are optional only when every one of them is.
   */
  optional?: boolean;
}

/**
 * A compiled route policy: claims in, verdict out (403 `insufficient_scope` when not enough), and the
 * certificate binding the verifier's `check` applies after it.
 */
export interface JwtAuthorizer {
  <T extends Readonly<Record<string, unknown>>>(claims: T): Verdict<T>;
  /** The RFC 8705 binding this route requires, if any. */
  readonly certificateBound?: Omit<CertificateBindingOptions, 'req'>;
  /** The DPoP mode this route sets, if any (else the verifier's default). */
  readonly dpop?: DpopMode;
  /** A request without credentials goes on anonymously (see {@link JwtRouteOptions.optional}). */
  readonly optional?: true;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scopes a token grants: `scope` (RFC 8693/9068, space-separated) and `scp` (array, or string).
 *
 * @example
 * grantedScopes({ scope: 'a b', scp: ['c'] }) // Set { 'a', 'b', 'c' }
 */
export function grantedScopes(claims: Readonly<Record<string, unknown>>): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string') {
      for (const s of v.split(' ')) if (s !== '') out.add(s);
    } else if (Array.isArray(v)) {
      for (const s of v) if (typeof s === 'string' && s !== '') out.add(s);
    }
  };
  add(claims.scope);
  add(claims.scp);
  return out;
}

const ROUTE_KEYS = optionKeys<JwtRouteOptions>()('scopes', 'claims', 'certificateBound', 'dpop', 'optional');

const DPOP_MODES: readonly DpopMode[] = ['required', 'allowed', 'off'];

function dpopModeOf(mode: unknown): DpopMode | undefined {
  if (mode === undefined) return undefined;
  if (!DPOP_MODES.includes(mode as DpopMode)) {
    throw new ConfigError(
      'jwt.route.dpop',
      `${JSON.stringify(mode)} is not a DPoP mode`,
      "use 'required', 'allowed' or 'off'",
    );
  }
  return mode as DpopMode;
}

/**
 * The mode of several levels that must all hold: the schemes every level accepts (`required` and `off`
 * share none, which is a configuration mistake).
 */
function combinedDpop(modes: readonly DpopMode[]): DpopMode | undefined {
  if (modes.length === 0) return undefined;
  if (modes.includes('required') && modes.includes('off')) {
    throw new ConfigError(
      'jwt.route.dpop',
      "'required' on one level and 'off' on another leave no scheme a request could use",
      "make the levels agree, e.g. 'required' on the controller and nothing on the handler",
    );
  }
  return modes.includes('required') ? 'required' : modes.includes('off') ? 'off' : 'allowed';
}

/**
 * Compile a route's authorization rules once. Scopes are validated as RFC 6749 scope tokens, and the
 * 403's `WWW-Authenticate` names the scopes the route needs (RFC 6750 §3). Several routes (a controller's
 * rules and its handler's) all apply, in order: the first refusal answers, and a binding any of them asks
 * for is checked (required when any requires it).
 *
 * @example
 * const canRead = createJwtAuthorizer({ scopes: ['orders:read'] });
 * const v = canRead(verified.value); // 403 JWT_INSUFFICIENT_SCOPE without orders:read
 */
export function createJwtAuthorizer(route: JwtRouteOptions = {}, ...more: JwtRouteOptions[]): JwtAuthorizer {
  if (more.length === 0) return compileRoute(route);
  const compiled = [route, ...more].map(compileRoute);
  const bindings = compiled.flatMap((c) => (c.certificateBound === undefined ? [] : [c.certificateBound]));
  const dpop = combinedDpop(compiled.flatMap((c) => (c.dpop === undefined ? [] : [c.dpop])));
  const all = <T extends Readonly<Record<string, unknown>>>(claims: T): Verdict<T> => {
    let verdict = compiled[0]!(claims);
    for (let i = 1; verdict.ok && i < compiled.length; i++) verdict = compiled[i]!(claims);
    return verdict;
  };
  if (dpop !== undefined) Object.assign(all, { dpop });
  if (compiled.every((c) => c.optional === true)) Object.assign(all, { optional: true });
  if (bindings.length === 0) return all;
  const required = bindings.some((b) => b.required === true);
  const onEvent = bindings.find((b) => b.onEvent !== undefined)?.onEvent;
  return Object.assign(all, {
    certificateBound: { required, ...(onEvent !== undefined ? { onEvent } : {}) },
  });
}

function bindingOf(
  option: CertificateBoundOption | undefined,
): Omit<CertificateBindingOptions, 'req'> | undefined {
  if (option === undefined) return undefined;
  if (option === true) return {};
  if (typeof option !== 'object' || option === null) {
    throw new ConfigError(
      'jwt.route.certificateBound',
      'must be true or binding options',
      'e.g. certificateBound: { required: true }',
    );
  }
  return option;
}

function compileRoute(route: JwtRouteOptions): JwtAuthorizer {
  checkOptions('jwt.route', route, ROUTE_KEYS);
  const binding = bindingOf(route.certificateBound);
  const dpop = dpopModeOf(route.dpop);
  const authorize = compileClaims(route);
  if (dpop !== undefined) Object.assign(authorize, { dpop });
  if (route.optional !== undefined && typeof route.optional !== 'boolean') {
    throw new ConfigError(
      'jwt.route.optional',
      `${JSON.stringify(route.optional)} is not a boolean`,
      'optional: true lets requests without credentials through anonymously',
    );
  }
  if (route.optional === true) Object.assign(authorize, { optional: true });
  return binding === undefined ? authorize : Object.assign(authorize, { certificateBound: binding });
}

function compileClaims(route: JwtRouteOptions): JwtAuthorizer {
  const scopes = route.scopes ?? [];
  if (!Array.isArray(scopes)) {
    throw new ConfigError('jwt.route.scopes', 'must be a list of scope strings', "e.g. ['orders:read']");
  }
  for (const [i, s] of scopes.entries()) {
    if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) {
      throw new ConfigError(
        `jwt.route.scopes[${i}]`,
        'is not an RFC 6749 scope token (no spaces, quotes or backslashes)',
        "use plain scope names such as 'orders:read'",
      );
    }
  }
  const predicate = route.claims;
  if (predicate !== undefined && typeof predicate !== 'function') {
    throw new ConfigError(
      'jwt.route.claims',
      'must be a function of the claims',
      'e.g. (c) => c.tenant === "acme"',
    );
  }
  // A fresh function each time: a binding may be attached to it.
  if (scopes.length === 0 && predicate === undefined) return <T>(claims: T): Verdict<T> => allow(claims);
  const insufficient =
    scopes.length === 0
      ? JWT_ERRORS.insufficientScope
      : new SecurityError({
          code: JWT_ERRORS.insufficientScope.code,
          status: 403,
          message: JWT_ERRORS.insufficientScope.message,
          headers: [['www-authenticate', `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"`]],
        });
  return <T extends Readonly<Record<string, unknown>>>(claims: T): Verdict<T> => {
    if (scopes.length > 0) {
      const granted = grantedScopes(claims);
      for (const s of scopes) if (!granted.has(s)) return deny(insufficient);
    }
    if (predicate !== undefined) {
      let ok = false;
      try {
        ok = predicate(claims) === true;
      } catch {
        // A predicate that throws grants nothing.
      }
      if (!ok) return deny(JWT_ERRORS.forbidden);
    }
    return allow(claims);
  };
}
