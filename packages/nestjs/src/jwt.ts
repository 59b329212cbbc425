import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ConfigError,
  createJwtAuthorizer,
  type JwtAuthorizer,
  type JwtClaims,
  type JwtRouteOptions,
  type JwtVerifier,
} from '@bulwark/core';
import { BulwarkDenied } from './denied.js';
import { type PlatformRequest, setResponseHeaders, toRequestLike } from './http.js';
import { BULWARK_JWT, REQUIRE_JWT_METADATA } from './tokens.js';

/** Claims already verified for a request object (a request is verified once, however many guards ask). */
const verifiedRequests = new WeakMap<object, JwtClaims>();

/**
 * Guard behind `@RequireJwt()`: verifies the bearer token with the module's verifier and stores the
 * claims on the request (`request.auth`). Nest instantiates it at startup for each controller that uses
 * `@RequireJwt()` (it is deliberately not a module provider), so a missing `jwt` option fails the app
 * at startup, and only when the decorator is used.
 *
 * @example
 * @UseGuards(JwtGuard) // what @RequireJwt() applies for you
 */
@Injectable()
export class JwtGuard implements CanActivate {
  constructor(
    @Inject(BULWARK_JWT) private readonly verifier: JwtVerifier | null,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    if (verifier === null) {
      throw new ConfigError(
        'BulwarkModule.jwt',
        '@RequireJwt() is used but no jwt options were given',
        'pass jwt to BulwarkModule.forRoot()',
      );
    }
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    const route = this.reflector.getAllAndOverride<{ authorize?: JwtAuthorizer } | undefined>(
      REQUIRE_JWT_METADATA,
      [context.getHandler(), context.getClass()],
    );
    // @RequireJwt on a controller and on one of its handlers runs this guard twice: verify once per request.
    const earlier = verifiedRequests.get(request);
    const verdict =
      earlier === undefined
        ? await this.verifier!.verify(toRequestLike(request), route?.authorize)
        : route?.authorize === undefined
          ? { ok: true as const, value: earlier, headers: {} }
          : route.authorize(earlier);
    if (!verdict.ok) throw BulwarkDenied.from(verdict.error);
    verifiedRequests.set(request, verdict.value);
    request.auth = verdict.value;
    setResponseHeaders(http.getResponse(), verdict.headers);
    return true;
  }
}

/**
 * Require a valid bearer JWT on a controller or handler. Claims are available with `@Claims()`. With
 * `route`, the token must also grant its scopes and pass its claims predicate, else 403
 * `insufficient_scope`; the rules are compiled (and validated) when the decorator is applied.
 *
 * @example
 * @Get('orders') @RequireJwt({ scopes: ['orders:read'] }) orders(@Claims() claims: JwtClaims) { return claims; }
 */
export function RequireJwt(route?: JwtRouteOptions): MethodDecorator & ClassDecorator {
  const metadata = route === undefined ? {} : { authorize: createJwtAuthorizer(route) };
  return applyDecorators(SetMetadata(REQUIRE_JWT_METADATA, metadata), UseGuards(JwtGuard));
}

/**
 * Parameter decorator: the verified JWT claims, or one claim by name.
 *
 * @example
 * @Get('me') @RequireJwt() me(@Claims('sub') sub: string) { return { sub }; }
 */
export const Claims: (claim?: string) => ParameterDecorator = createParamDecorator(
  (claim: string | undefined, context: ExecutionContext) => {
    const auth = context.switchToHttp().getRequest<PlatformRequest>().auth as
      | Record<string, unknown>
      | undefined;
    return claim === undefined ? auth : auth?.[claim];
  },
);
