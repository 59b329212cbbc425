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
  type JwtVerdict,
  type JwtVerifier,
  type MtlsPeer,
  type MtlsVerifier,
} from '@bulwark/core';
import { type JwtCheckNow, jwtCheckNow } from '@bulwark/core/toolkit';
import { type PlatformRequest, pass, refuse, toRequestLike } from './http.js';
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
 * `@RequireCertificateBoundToken` bindings, whichever of their guards runs first. Decided without a promise
 * of ours when core's settled check had nothing to wait for (jwtCheckNow: a refusal, or a token verified with
 * keys already loaded on the node back end): `true`, which Nest takes as it is, or the denial as an already
 * rejected promise (see `refuse`); the verifier's promise otherwise.
 */
function enforceJwt(guard: JwtGuard, check: JwtCheckNow, context: ExecutionContext): true | Promise<boolean> {
  const http = context.switchToHttp();
  const request = http.getRequest<PlatformRequest>();
  if (enforced.has(request)) return true;
  const authorize = routeRules(guard.reflector, context);
  // With a binding, the route's @RequireMtls (any level) decides first, so behind a trusted proxy the
  // forwarded certificate is the one the token must match, whatever the order the guards run in.
  if (authorize.certificateBound !== undefined) return enforceBound(guard, context, request, authorize);
  let verdict: JwtVerdict | Promise<JwtVerdict>;
  try {
    verdict = check(toRequestLike(request), authorize, {
      mtls: request.mtls as MtlsPeer | undefined,
    });
  } catch (err) {
    // As check() would: a failure is a rejection, never a throw out of canActivate.
    return Promise.reject(err);
  }
  if (verdict instanceof Promise) return verdict.then((v) => carryOut(request, http.getResponse(), v));
  if (!verdict.ok) return refuse(verdict);
  return carryOut(request, http.getResponse(), verdict);
}

/** The certificate-bound route: the route's mTLS policies first, then the token, through check()'s promise. */
async function enforceBound(
  guard: JwtGuard,
  context: ExecutionContext,
  request: PlatformRequest,
  authorize: JwtAuthorizer,
): Promise<boolean> {
  await enforceMtls(guard.reflector, guard.mtlsDefault, context);
  const verdict = await guard.verifier.check(toRequestLike(request), authorize, {
    mtls: request.mtls as MtlsPeer | undefined,
  });
  return carryOut(request, context.switchToHttp().getResponse(), verdict);
}

/** The verdict carried out: the claims (and DPoP proof) on the request, or the denial thrown. */
function carryOut(request: PlatformRequest, response: unknown, verdict: JwtVerdict): true {
  const { value } = pass(request, response, verdict);
  enforced.set(request, value);
  if (value !== undefined) request.auth = value;
  if (verdict.ok && verdict.dpop !== undefined) request.dpop = verdict.dpop;
  return true;
}

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
  /** The verifier's settled check (core's jwtCheckNow), or its check() for a verifier without one. */
  private readonly checkNow: JwtCheckNow;

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
    this.checkNow = jwtCheckNow(verifier) ?? verifier.check.bind(verifier);
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

  // Not async: a plain true when decided without waiting, which Nest takes without awaiting it.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return enforceJwt(this, this.checkNow, context);
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
