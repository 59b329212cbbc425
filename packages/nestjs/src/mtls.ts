import type { IncomingMessage } from 'node:http';
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
  type CertificateBindingOptions,
  ConfigError,
  createMtlsVerifier,
  verifyCertificateBinding,
  type MtlsPeer,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  ruleFrom,
} from '@bulwark/core';
import { BulwarkDenied } from './denied.js';
import { type PlatformRequest, toRequestLike } from './http.js';
import { BULWARK_OPTIONS } from './tokens.js';

/**
 * Metadata key set by `@RequireCertificateBoundToken()`: its binding options.
 *
 * @example
 * reflector.get(CERTIFICATE_BOUND_METADATA, handler)
 */
export const CERTIFICATE_BOUND_METADATA = 'bulwark:certificate-bound';

/**
 * Metadata key set by `@RequireMtls()`: the route's verifier, or `true` for the module default.
 *
 * @example
 * reflector.get(REQUIRE_MTLS_METADATA, handler)
 */
export const REQUIRE_MTLS_METADATA = 'bulwark:require-mtls';

function toVerifier(source: MtlsVerifierOptions | MtlsVerifier): MtlsVerifier {
  return ruleFrom(source, createMtlsVerifier, 'verify');
}

/**
 * Guard behind `@RequireMtls()`: identifies the TLS client (SPIFFE ID from its single URI SAN), applies the
 * route policy (or the module's `mtls` default) and stores the peer on `request.mtls`.
 *
 * @example
 * @UseGuards(MtlsGuard) // what @RequireMtls() applies, with the policy in REQUIRE_MTLS_METADATA
 */
@Injectable()
export class MtlsGuard implements CanActivate {
  private readonly fallback: MtlsVerifier | null;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(BULWARK_OPTIONS) options: { mtls?: MtlsVerifierOptions | MtlsVerifier },
  ) {
    this.fallback = options?.mtls === undefined ? null : toVerifier(options.mtls);
  }

  canActivate(context: ExecutionContext): boolean {
    const route = this.reflector.getAllAndOverride<MtlsVerifier | true | undefined>(REQUIRE_MTLS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (route === undefined) return true;
    const verifier = route === true ? this.fallback : route;
    if (verifier === null) {
      throw new ConfigError(
        '@RequireMtls()',
        'has no policy and BulwarkModule has no mtls option',
        'pass @RequireMtls({ authorize: ... }) or BulwarkModule.forRoot({ mtls: { authorize: ... } })',
      );
    }
    const request = context.switchToHttp().getRequest<PlatformRequest>();
    const verdict = verifier.verify(toRequestLike(request));
    const header = verifier.forwardedHeader;
    const raw = (request.raw ?? request) as IncomingMessage;
    if (header !== undefined && !verifier.isTrustedProxy(raw.socket?.remoteAddress)) {
      delete raw.headers[header];
      const own = request.headers as Record<string, unknown> | undefined;
      if (own !== undefined) delete own[header];
    }
    if (!verdict.ok) throw BulwarkDenied.from(verdict.error);
    request.mtls = verdict.value;
    return true;
  }
}

/**
 * Require an authorized mTLS client on a controller or handler. Without options the module's `mtls` policy
 * applies; with options this route gets its own (validated when the decorator runs, at startup). Serve the app
 * with `httpsOptions: mtlsServerOptions(...)` (express platform) or `new FastifyAdapter({ https: ... })`.
 *
 * @example
 * @Post('payments') @RequireMtls({ authorize: authorizePathPrefix('corp.example.com', '/ns/checkout') })
 * pay(@MtlsIdentity() peer: MtlsPeer) { return { caller: peer.spiffeId?.id }; }
 */
export function RequireMtls(options?: MtlsVerifierOptions | MtlsVerifier): MethodDecorator & ClassDecorator {
  const metadata: MtlsVerifier | true = options === undefined ? true : toVerifier(options);
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
 * Guard behind `@RequireCertificateBoundToken()`: RFC 8705 check of the verified claims against the client certificate.
 *
 * @example
 * @UseGuards(JwtGuard, CertificateBoundGuard)
 */
@Injectable()
export class CertificateBoundGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options =
      this.reflector.getAllAndOverride<Omit<CertificateBindingOptions, 'req'> | undefined>(
        CERTIFICATE_BOUND_METADATA,
        [context.getHandler(), context.getClass()],
      ) ?? {};
    const request = context.switchToHttp().getRequest<PlatformRequest>();
    const claims = request.auth as Record<string, unknown> | undefined;
    if (claims === undefined) {
      throw new ConfigError(
        '@RequireCertificateBoundToken()',
        'ran before the token was verified',
        'write it above @RequireJwt() (decorators apply bottom-up, so guards run in that order)',
      );
    }
    const like = toRequestLike(request);
    const peer = request.mtls as MtlsPeer | undefined;
    const verdict = await verifyCertificateBinding(claims, peer?.certificate ?? like.peerCertificate, {
      ...options,
      req: like,
    });
    if (!verdict.ok) throw BulwarkDenied.from(verdict.error);
    return true;
  }
}

/**
 * RFC 8705 certificate-bound access tokens: a token carrying `cnf["x5t#S256"]` must match the TLS client
 * certificate, else 401 `MTLS_TOKEN_BINDING_MISMATCH`. Write it ABOVE `@RequireJwt()` so it runs after it.
 *
 * @example
 * @Post('transfers') @RequireCertificateBoundToken({ required: true }) @RequireJwt() transfer() {}
 */
export function RequireCertificateBoundToken(
  options: Omit<CertificateBindingOptions, 'req'> = {},
): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(CERTIFICATE_BOUND_METADATA, options), UseGuards(CertificateBoundGuard));
}
