import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  attachEvents,
  ConfigError,
  type EventSink,
  type MtlsPeer,
  type MtlsVerifier,
  type Verdict,
} from '@bulwark/core';
import { BULWARK_EVENTS } from './events.js';
import { type PlatformRequest, pass, toRequestLike } from './http.js';
import { bothLevels, declaredRoutes } from './levels.js';
import { BULWARK_MTLS, REQUIRE_MTLS_METADATA } from './tokens.js';

const noDefault = (where: string): ConfigError =>
  new ConfigError(
    `@RequireMtls() on ${where}`,
    'has no policy and BulwarkModule has no mtls option',
    'pass @RequireMtls({ authorize: ... }) or BulwarkModule.forRoot({ mtls: { authorize: ... } })',
  );

/**
 * Requests whose every level's `@RequireMtls` ran (the guard runs once per level, and the certificate-binding
 * check calls it too): true once they passed, or the pending decision while a decision point is asked.
 */
const enforced = new WeakMap<object, true | Promise<void>>();

/**
 * Apply every level's `@RequireMtls` policy to the request, once: all must allow. Synchronous unless a
 * policy has a `decisionPoint` (e.g. `createOpaAuthorizer`), which is then awaited (its failure or timeout
 * answers 503 `MTLS_AUTHORIZER_UNAVAILABLE`). Also used by the certificate-binding check, which needs the
 * forwarded certificate the policy established.
 *
 * @example
 * await enforceMtls(reflector, fallback, context); // throws BulwarkAnswer when a policy refuses
 */
export function enforceMtls(
  reflector: Reflector,
  fallback: MtlsVerifier | null,
  context: ExecutionContext,
): void | Promise<void> {
  const levels = bothLevels<MtlsVerifier | true>(reflector, REQUIRE_MTLS_METADATA, context);
  if (levels.length === 0) return;
  const http = context.switchToHttp();
  const request = http.getRequest<PlatformRequest>();
  const seen = enforced.get(request);
  if (seen !== undefined) return seen === true ? undefined : seen;
  const verifiers = new Set<MtlsVerifier>();
  for (const level of levels) {
    const verifier = level === true ? fallback : level;
    if (verifier === null) throw noDefault(context.getClass().name);
    verifiers.add(verifier);
  }
  const like = toRequestLike(request);
  // Every policy decides on the request as it arrived; only then are the headers they name removed.
  const pending = [...verifiers].map((verifier) => verifier.checkRequest(like));
  const response = http.getResponse<unknown>();
  const settle = (verdicts: readonly Verdict<MtlsPeer>[]): void => {
    for (const verdict of verdicts) if (!verdict.ok) pass(request, response, verdict);
    for (const verdict of verdicts) pass(request, response, verdict);
    // The handler's own policy (last) names the peer the handler sees.
    const last = verdicts[verdicts.length - 1]!;
    if (last.ok) request.mtls = last.value;
    enforced.set(request, true);
  };
  if (!pending.some((p) => p instanceof Promise)) {
    settle(pending as Verdict<MtlsPeer>[]);
    return;
  }
  const decided = Promise.all(pending).then(settle);
  enforced.set(request, decided);
  return decided;
}

/**
 * Guard behind `@RequireMtls()`: identifies the TLS client (SPIFFE ID from its single URI SAN), applies the
 * route policy (or the module's `mtls` default) and stores the peer on `request.mtls`. The policies of a
 * controller's `@RequireMtls` and of its handler's both apply. A policy's `decisionPoint` (e.g.
 * `createOpaAuthorizer`) is awaited. A `@RequireMtls()` without a policy in an app
 * without the `mtls` module option stops the app at startup.
 *
 * @example
 * @UseGuards(MtlsGuard) // what @RequireMtls() applies, with the policy in REQUIRE_MTLS_METADATA
 */
@Injectable()
export class MtlsGuard implements CanActivate, OnModuleInit {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(BULWARK_MTLS) private readonly fallback: MtlsVerifier | null,
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
    @Inject(BULWARK_EVENTS) private readonly events: EventSink,
  ) {}

  /**
   * At startup: a route's own `@RequireMtls(options)` reports to the module's sink (its verifier was built by
   * the decorator, apart from the module), and a bare `@RequireMtls()` needs the module's `mtls` default.
   */
  onModuleInit(): void {
    for (const route of declaredRoutes(this.modules)) {
      for (const [target, where] of [
        [route.controller, (route.controller as { name: string }).name],
        [route.handler, route.where],
      ] as const) {
        const level = this.reflector.get<MtlsVerifier | true | undefined>(
          REQUIRE_MTLS_METADATA,
          target as never,
        );
        if (level === true && this.fallback === null) throw noDefault(where);
        if (level !== undefined && level !== true) attachEvents(level, this.events);
      }
    }
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const decided = enforceMtls(this.reflector, this.fallback, context);
    return decided === undefined ? true : decided.then(() => true);
  }
}
