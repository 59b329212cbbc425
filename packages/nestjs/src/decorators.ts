import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import {
  createJwtAuthorizer,
  type JwtRouteOptions,
  type MtlsPeer,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  type WebhookDelivery,
} from '@bulwark/core';
import type { WithCspNonce } from './app-wide.js';
import type { PlatformRequest } from './http.js';
import { type BindingOptions, JwtGuard } from './jwt.guard.js';
import { MtlsGuard } from './mtls.guard.js';
import { mtlsVerifierOf } from './providers.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import {
  CERTIFICATE_BOUND_METADATA,
  RATE_LIMIT_METADATA,
  REQUIRE_JWT_METADATA,
  REQUIRE_MTLS_METADATA,
  SKIP_RATE_LIMIT_METADATA,
  WEBHOOK_SIGNED_METADATA,
} from './tokens.js';
import { WebhookGuard } from './webhook.guard.js';

/**
 * Require a valid bearer JWT on a controller or handler. Claims are available with `@Claims()`. With
 * `route`, the token must also grant its scopes and pass its claims predicate, else 403
 * `insufficient_scope`; the rules are compiled (and validated) when the decorator is applied. On a
 * controller and one of its handlers, both apply: the handler's rules add to the controller's (DPoP modes
 * too: `dpop: 'required'` on either level holds; `'required'` with `'off'` is a configuration error).
 * A request sent with `Authorization: DPoP` has its checked proof in `request.dpop`.
 *
 * @example
 * @Get('orders') @RequireJwt({ scopes: ['orders:read'] }) orders(@Claims() claims: JwtClaims) { return claims; }
 */
export function RequireJwt(route: JwtRouteOptions = {}): MethodDecorator & ClassDecorator {
  createJwtAuthorizer(route); // validates the rules now, at startup
  return applyDecorators(SetMetadata(REQUIRE_JWT_METADATA, route), UseGuards(JwtGuard));
}

/**
 * RFC 8705 certificate-bound access tokens: a token carrying `cnf["x5t#S256"]` must match the TLS client
 * certificate, else 401 `MTLS_TOKEN_BINDING_MISMATCH`; `required: true` also refuses unbound tokens. It
 * verifies the token itself (with the route's `@RequireJwt` rules), so decorator order does not matter;
 * on a controller and a handler, both bindings apply. Behind a TLS-terminating proxy, put `@RequireMtls`
 * on the same level or a higher one so the forwarded certificate is the one checked.
 *
 * @example
 * @Post('transfers') @RequireCertificateBoundToken({ required: true }) @RequireJwt({ scopes: ['transfers'] }) transfer() {}
 */
export function RequireCertificateBoundToken(options: BindingOptions = {}): MethodDecorator & ClassDecorator {
  createJwtAuthorizer({ certificateBound: options }); // validates the options now, at startup
  return applyDecorators(SetMetadata(CERTIFICATE_BOUND_METADATA, options), UseGuards(JwtGuard));
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

/**
 * Require an authorized mTLS client on a controller or handler. Without options the module's `mtls` policy
 * applies; with options this route gets its own (validated when the decorator runs, at startup). On a
 * controller and one of its handlers, both policies must allow. Serve the app with
 * `httpsOptions: mtlsServerOptions(...)` (express platform) or `new FastifyAdapter({ https: ... })`.
 *
 * @example
 * @Post('payments') @RequireMtls({ authorize: authorizePathPrefix('corp.example.com', '/ns/checkout') })
 * pay(@MtlsIdentity() peer: MtlsPeer) { return { caller: peer.spiffeId?.id }; }
 */
export function RequireMtls(options?: MtlsVerifierOptions | MtlsVerifier): MethodDecorator & ClassDecorator {
  const metadata: MtlsVerifier | true = options === undefined ? true : mtlsVerifierOf(options);
  return applyDecorators(SetMetadata(REQUIRE_MTLS_METADATA, metadata), UseGuards(MtlsGuard));
}

/**
 * Parameter decorator: the mTLS peer established by `@RequireMtls()`.
 *
 * @example
 * @Get('whoami') @RequireMtls() whoami(@MtlsIdentity() peer: MtlsPeer) { return peer.spiffeId?.id; }
 */
export const MtlsIdentity: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<PlatformRequest>().mtls as MtlsPeer | undefined,
);

/**
 * Require a signed webhook on a handler or controller, verified by the module's verifier `name`.
 * The delivery is available with `@SignedWebhook()`.
 *
 * @example
 * @Post('stripe') @HttpCode(200) @WebhookSigned('stripe')
 * receive(@SignedWebhook() delivery: WebhookDelivery) { return this.billing.apply(delivery.json()); }
 */
export function WebhookSigned(name = 'default'): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(WEBHOOK_SIGNED_METADATA, name), UseGuards(WebhookGuard));
}

/**
 * Parameter decorator: the verified {@link WebhookDelivery} set by `@WebhookSigned()`.
 *
 * @example
 * receive(@SignedWebhook() delivery: WebhookDelivery) { return { id: delivery.id }; }
 */
export const SignedWebhook: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<PlatformRequest>().webhook as WebhookDelivery | undefined,
);

/**
 * Rate-limit a controller or handler with the named limiter of `BulwarkModule.forRoot({ rateLimit })`.
 * On a controller and a handler, both limiters count. For per-token buckets put it above `@RequireJwt()`
 * on the handler, so the token is verified first.
 *
 * @example
 * @Get('orders') @RateLimit('user') @RequireJwt() list() {}
 */
export function RateLimit(name: string): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(RATE_LIMIT_METADATA, name), UseGuards(RateLimitGuard));
}

/**
 * Exempt a handler from its controller's `@RateLimit`, and a handler or a whole controller from the app-wide
 * limiter (`rateLimit.global`); a `@RateLimit` on the handler itself still counts.
 *
 * @example
 * @Get('health') @SkipRateLimit() health() {}
 */
export function SkipRateLimit(): MethodDecorator & ClassDecorator {
  return SetMetadata(SKIP_RATE_LIMIT_METADATA, true);
}

/**
 * The CSP nonce of this response (policies that use `NONCE`, e.g. the `web` preset), on both platforms.
 *
 * @example
 * @Get() page(@CspNonce() nonce: string) { return `<script nonce="${nonce}">boot()</script>`; }
 */
export const CspNonce: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const request = context.switchToHttp().getRequest<WithCspNonce & { raw?: WithCspNonce }>();
    // express platform: the middleware saw this very request; fastify platform: its node request is `.raw`.
    return request.cspNonce ?? request.raw?.cspNonce;
  },
);
