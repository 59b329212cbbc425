import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  type CertificateBindingOptions,
  ConfigError,
  createJwtAuthorizer,
  createJwtRoute,
  isConfigError,
  type JwtAuthorizer,
  type JwtClaims,
  type JwtRouteOptions,
  type JwtVerifier,
  type MtlsPeer,
  type MtlsVerifier,
} from '@bulwark/core';
import { type PlatformRequest, pass, toRequestLike } from './http.js';
import { declaredRoutes } from './levels.js';
import { enforceMtls } from './mtls.guard.js';
import { BULWARK_JWT, BULWARK_MTLS, CERTIFICATE_BOUND_METADATA, REQUIRE_JWT_METADATA } from './tokens.js';

/** What `@RequireJwt(route)` stores: the route rules (validated when the decorator runs). */
type JwtRoute = JwtRouteOptions;

/** Binding options stored by `@RequireCertificateBoundToken()`. */
export type BindingOptions = Omit<CertificateBindingOptions, 'req'>;

/**
 * Requests whose token was verified and every level's rules checked. Nest runs a guard once per level that
 * applies it (controller, then handler), and the JWT and certificate-binding guards share the work: the
 * first to run does it all, the others find the request here.
 */
// Claims per request once its JWT rules ran (undefined: an optional route's anonymous request).
const enforced = new WeakMap<object, JwtClaims | undefined>();

/** What the JWT guard holds. */
interface JwtRules {
  readonly verifier: JwtVerifier;
  readonly reflector: Reflector;
  readonly mtlsDefault: MtlsVerifier | null;
}

/** The compiled rules of each route (controller class, then handler): both levels' rules, in that order. */
const compiled = new WeakMap<object, WeakMap<object, JwtAuthorizer>>();

function routeRules(reflector: Reflector, context: ExecutionContext): JwtAuthorizer {
  const controller = context.getClass();
  const handler = context.getHandler();
  let byHandler = compiled.get(controller);
  if (byHandler === undefined) {
    byHandler = new WeakMap();
    compiled.set(controller, byHandler);
  }
  let authorize = byHandler.get(handler);
  if (authorize === undefined) {
    authorize = combinedRules(reflector, controller, handler);
    byHandler.set(handler, authorize);
  }
  return authorize;
}

/** Both levels' `@RequireJwt` rules and `@RequireCertificateBoundToken` bindings of a route, compiled. */
function combinedRules(reflector: Reflector, controller: object, handler: object): JwtAuthorizer {
  const levels = [controller, handler] as never[];
  const routes = levels.flatMap((t) => reflector.get<JwtRoute | undefined>(REQUIRE_JWT_METADATA, t) ?? []);
  const bindings = levels.flatMap(
    (t) => reflector.get<BindingOptions | undefined>(CERTIFICATE_BOUND_METADATA, t) ?? [],
  );
  const [first, ...more] = [...routes, ...bindings.map((b) => ({ certificateBound: b }))];
  return createJwtAuthorizer(first, ...more);
}

/**
 * Verify the bearer token once per request and apply every level's `@RequireJwt` rules and
 * `@RequireCertificateBoundToken` bindings, whichever of their guards runs first.
 */
async function enforceJwt(guard: JwtRules, context: ExecutionContext): Promise<void> {
  const { verifier, reflector } = guard;
  const http = context.switchToHttp();
  const request = http.getRequest<PlatformRequest>();
  if (enforced.has(request)) return;
  const authorize = routeRules(reflector, context);
  // With a binding, the route's @RequireMtls (any level) decides first, so behind a trusted proxy the
  // forwarded certificate is the one the token must match, whatever the order the guards run in.
  if (authorize.certificateBound !== undefined) await enforceMtls(reflector, guard.mtlsDefault, context);
  const verdict = await verifier.check(toRequestLike(request), authorize, {
    mtls: request.mtls as MtlsPeer | undefined,
  });
  const { value } = pass(request, http.getResponse(), verdict);
  enforced.set(request, value);
  if (value !== undefined) request.auth = value;
  if (verdict.ok && verdict.dpop !== undefined) request.dpop = verdict.dpop;
}

const activated = (): true => true;

/**
 * Guard behind `@RequireJwt()` and `@RequireCertificateBoundToken()`: verifies the bearer token with the
 * module's verifier, applies every level's `@RequireJwt` rules and `@RequireCertificateBoundToken` bindings
 * (RFC 8705), and stores the claims on the request (`request.auth`). The rules of a controller and of its
 * handler both apply. Nest instantiates it at startup for each controller that uses one of the decorators
 * (it is deliberately not a module provider), so a missing `jwt` option fails the app at startup, and only
 * when a decorator is used.
 *
 * @example
 * @UseGuards(JwtGuard) // what @RequireJwt() applies for you
 */
@Injectable()
export class JwtGuard implements CanActivate, OnModuleInit {
  readonly verifier: JwtVerifier;

  constructor(
    @Inject(BULWARK_JWT) verifier: JwtVerifier | null,
    @Inject(Reflector) readonly reflector: Reflector,
    @Inject(BULWARK_MTLS) readonly mtlsDefault: MtlsVerifier | null,
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
  ) {
    if (verifier === null) {
      throw new ConfigError(
        'BulwarkModule.jwt',
        '@RequireJwt() or @RequireCertificateBoundToken() is used but no jwt options were given',
        'pass jwt to BulwarkModule.forRoot()',
      );
    }
    this.verifier = verifier;
  }

  /**
   * At startup: every route's rules (both levels) compiled against the module's verifier, so a route it
   * cannot serve (`@RequireJwt({ dpop: 'required' })` without the jwt option's `dpop`) stops the app here
   * instead of answering 500 on its first request.
   */
  onModuleInit(): void {
    for (const route of declaredRoutes(this.modules)) {
      try {
        createJwtRoute(this.verifier, combinedRules(this.reflector, route.controller, route.handler));
      } catch (err) {
        if (!isConfigError(err)) throw err;
        throw new ConfigError(
          `@RequireJwt() on ${route.where}`,
          err.message,
          "the module's verifier is built from BulwarkModule.forRoot({ jwt })",
        );
      }
    }
  }

  // Not async: the promise of enforceJwt is handed to Nest as it is, one async frame less on every request.
  canActivate(context: ExecutionContext): Promise<boolean> {
    return enforceJwt(this, context).then(activated);
  }
}

/**
 * The guard of `@RequireCertificateBoundToken()`: the JWT guard itself, which applies the bindings with the
 * token's other rules (kept under this name for `@UseGuards(CertificateBoundGuard)`).
 *
 * @example
 * @UseGuards(CertificateBoundGuard) // what @RequireCertificateBoundToken() applies for you
 */
export const CertificateBoundGuard: typeof JwtGuard = JwtGuard;
/** The guard of `@RequireCertificateBoundToken()` (see {@link JwtGuard}). */
export type CertificateBoundGuard = JwtGuard;
