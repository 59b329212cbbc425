import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { type AbstractHttpAdapter, HttpAdapterHost, ModulesContainer, Reflector } from '@nestjs/core';
import {
  ConfigError,
  deny,
  isSecurityError,
  type SecurityError,
  type Verdict,
  WEBHOOK_ERRORS,
  type WebhookDelivery,
  type WebhookVerifier,
} from '@bulwark/core';
import { readBodyCapped, webhookCheckNow } from '@bulwark/core/toolkit';
import { settleWhenFinished } from '@bulwark/core/node';
import { type PlatformRequest, pass, refuse, toRequestLike } from './http.js';
import { declaredRoutes } from './levels.js';
import { rawBodyOf } from './raw-body.js';
import { BULWARK_WEBHOOKS, WEBHOOK_SIGNED_METADATA } from './tokens.js';

type HttpArgumentsHost = ReturnType<ExecutionContext['switchToHttp']>;

/** Read a body no parser consumed (express platform, a content type Nest does not parse), up to `limit`. */
async function readUnparsed(req: IncomingMessage, limit: number): Promise<Uint8Array | SecurityError> {
  const read = await readBodyCapped(req, limit);
  if (read.ok) return read.value;
  return read.error === 'too_large' ? WEBHOOK_ERRORS.bodyTooLarge : read.error;
}

/**
 * The exact bytes of the delivery. Nest (`rawBody: true`) keeps them for the content types it parses; a body
 * no parser read is read here; a body a text parser turned into a string (fastify platform, `text/plain`)
 * has no exact bytes left: 415. Without `rawBody: true` a JSON body arrives parsed and the core throws a
 * TypeError naming that wiring mistake. No body at all is an empty delivery, refused by the core.
 * A promise only when the body has to be read: what the platform kept is answered as it is.
 */
function bodyOf(request: PlatformRequest, limit: number): unknown {
  if (request.rawBody !== undefined) return request.rawBody;
  if (typeof request.body === 'string') return WEBHOOK_ERRORS.contentTypeUnsupported;
  const raw = request as unknown as IncomingMessage;
  // Express platform, a stream no parser consumed. Its `body` says nothing: body-parser before 2.2
  // (NestJS 11.0's express) sets `{}` when it skips a request, later versions leave it undefined.
  if (request.raw === undefined && raw.readableEnded === false) return readUnparsed(raw, limit);
  return request.body ?? new Uint8Array(0);
}

/**
 * Guard behind `@WebhookSigned(name)`. Needs the app created with `rawBody: true` (both platforms keep the
 * exact bytes in `request.rawBody` while still parsing JSON for the rest of the app). A delivery is verified
 * once per request, also when the controller and the handler both name its verifier; naming two different
 * verifiers there (no delivery is signed by both) or an unknown one stops the app at startup.
 */
@Injectable()
export class WebhookGuard implements CanActivate, OnModuleInit {
  /** Requests already verified: Nest runs this guard once per level that applies it. */
  private readonly verified = new WeakSet<object>();

  constructor(
    @Inject(BULWARK_WEBHOOKS) private readonly verifiers: ReadonlyMap<string, WebhookVerifier> | null,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    let signed: string | undefined;
    for (const route of declaredRoutes(this.modules)) {
      const onClass = this.reflector.get<string | undefined>(
        WEBHOOK_SIGNED_METADATA,
        route.controller as never,
      );
      const own = this.reflector.get<string | undefined>(WEBHOOK_SIGNED_METADATA, route.handler as never);
      if (onClass !== undefined && own !== undefined && onClass !== own) {
        throw new ConfigError(
          `@WebhookSigned('${own}') on ${route.where}`,
          `its controller requires @WebhookSigned('${onClass}'); no delivery is signed for both verifiers`,
          'name one verifier, on the controller or on the handler',
        );
      }
      const name = own ?? onClass;
      if (name !== undefined && this.verifiers?.has(name) !== true) {
        throw new ConfigError(
          `@WebhookSigned('${name}') on ${route.where}`,
          this.verifiers === null
            ? 'is used but BulwarkModule has no webhooks option'
            : 'names a verifier that BulwarkModule.webhooks does not define',
          `add '${name}' to the webhooks option of BulwarkModule.forRoot()`,
        );
      }
      if (name !== undefined) signed ??= `@WebhookSigned('${name}') on ${route.where}`;
    }
    // Without rawBody: true the JSON parser keeps no bytes and every delivery would fail at request time.
    if (signed !== undefined && rawBodyOf(this.adapterHost?.httpAdapter as AbstractHttpAdapter) === false) {
      throw new ConfigError(
        'nestjs.NestFactory.create.rawBody',
        `is not true, but ${signed} needs the exact bytes of each delivery (a parsed and re-serialised body never matches its signature)`,
        'create the app with NestFactory.create(AppModule, { rawBody: true }): the body is still parsed for your handlers',
      );
    }
  }

  // Not async: with the body already kept by the platform (rawBody), the delivery goes to the verifier
  // before canActivate returns, without waiting a microtask for a body that is there.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    if (this.verified.has(request)) return true;
    const name =
      this.reflector.get<string | undefined>(WEBHOOK_SIGNED_METADATA, context.getHandler()) ??
      this.reflector.get<string | undefined>(WEBHOOK_SIGNED_METADATA, context.getClass());
    const verifier = name === undefined ? undefined : this.verifiers?.get(name);
    if (verifier === undefined) {
      return Promise.reject(
        new ConfigError(
          `BulwarkModule.webhooks.${String(name)}`,
          `@WebhookSigned('${String(name)}') is used but no such verifier is configured`,
          'add it to the webhooks option of BulwarkModule.forRoot()',
        ),
      );
    }
    const body = bodyOf(request, verifier.maxBodyBytes);
    if (body instanceof Promise) return body.then((read) => this.verify(http, request, verifier, read));
    return this.verify(http, request, verifier, body);
  }

  private verify(
    http: HttpArgumentsHost,
    request: PlatformRequest,
    verifier: WebhookVerifier,
    body: unknown,
  ): boolean | Promise<boolean> {
    if (isSecurityError(body)) return refuse(deny(body));
    // Core's settled check: a delivery refused before its event id is claimed (forged, malformed, too old)
    // is decided without verify()'s promise; one that passes still waits for the replay store's claim.
    const now = webhookCheckNow(verifier);
    let verdict: Verdict<WebhookDelivery> | Promise<Verdict<WebhookDelivery>>;
    try {
      verdict =
        now !== undefined
          ? now(toRequestLike(request), body as Uint8Array)
          : verifier.check(toRequestLike(request), body as Uint8Array);
    } catch (err) {
      // As check() would: a failure (a body that is not bytes) is a rejection, never a throw.
      return Promise.reject(err);
    }
    if (verdict instanceof Promise) return verdict.then((v) => this.carryOut(http, request, v));
    if (!verdict.ok) return refuse(verdict);
    return this.carryOut(http, request, verdict);
  }

  /** A denial, or the answer to a delivery already processed (200), ends here: the handler never runs. */
  private carryOut(
    http: HttpArgumentsHost,
    request: PlatformRequest,
    verdict: Verdict<WebhookDelivery>,
  ): true {
    const response = http.getResponse<{ raw?: ServerResponse } & ServerResponse>();
    const { value: delivery } = pass(request, response, verdict);
    this.verified.add(request);
    request.webhook = delivery;
    settleWhenFinished(response.raw ?? response, delivery);
    return true;
  }
}
