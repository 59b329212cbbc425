import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CorsOptions,
  type CorsPolicy,
  createCorsPolicy,
  createSecurityHeaders,
  refuseDeliveryBeforeBody,
  type Reply,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
  type WebhookVerifier,
} from '@bulwark/core';
import { appendVary } from '@bulwark/core/toolkit';
import { fromNodeRequest, writeHeaders, writeReply } from '@bulwark/core/node';
import type { AbstractHttpAdapter } from '@nestjs/core';

/**
 * One app-wide rule on the node request and response (security headers, CORS, webhook refusals decidable
 * from headers): `undefined` to go on, or the answer that ends the request. Headers it sets on `res` stay
 * on every later response, the platform's 404s and body-parser errors included.
 */
export type AppWideStep = (req: IncomingMessage, res: ServerResponse) => Reply | undefined;

function run(steps: readonly AppWideStep[], req: IncomingMessage, res: ServerResponse): Reply | undefined {
  for (const step of steps) {
    const answer = step(req, res);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

interface FastifyLike {
  server: {
    prependListener(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
  };
  addHook(
    name: 'onRequest',
    hook: (request: { raw: IncomingMessage }, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown;
}

interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  getHeader(name: string): unknown;
  send(body?: string): unknown;
}

/** What the server's request event decided for a request, read by the fastify platform's onRequest hook. */
const DECIDED: unique symbol = Symbol('bulwark.nestjs.appWide');
type Decided = IncomingMessage & { [DECIDED]?: Reply | null };

/**
 * Run the app-wide steps on every request, ahead of Nest's body parsers, middleware, global prefix and
 * routing: on the server's request event and an `onRequest` hook on the fastify platform, a first
 * middleware of the express app otherwise.
 * Registered when the module is constructed (`NestFactory.create`), before `app.init()` adds the parsers.
 *
 * @example
 * installAppWide(adapterHost.httpAdapter, [securityHeadersStep(), corsStep(options)]);
 */
export function installAppWide(adapter: AbstractHttpAdapter, steps: readonly AppWideStep[]): void {
  if (steps.length === 0) return;
  if (adapter.getType() === 'fastify') {
    const fastify = adapter.getInstance<FastifyLike>();
    // Fastify answers a URL its router cannot decode (400) before any hook: the steps run on the server's
    // request event, ahead of fastify, and onRequest sends what they decided. Requests that never went
    // through the server (inject()) run them in onRequest.
    // What they decided rides on the node request (null: go on), read back in onRequest: a property of our
    // own symbol, not a WeakMap entry per request (an ephemeron insert costs ~10× a property store).
    fastify.server.prependListener('request', (req, res) => {
      (req as Decided)[DECIDED] = run(steps, req, res) ?? null;
    });
    fastify.addHook('onRequest', (request, reply, done) => {
      const known = (request.raw as Decided)[DECIDED];
      const answer = known === undefined ? run(steps, request.raw, reply.raw) : known;
      if (answer === undefined || answer === null) return done();
      // Headers set on reply.raw by the steps are merged into what fastify sends.
      reply.code(answer.status);
      for (const [name, value] of answer.headers) {
        if (name === 'vary')
          reply.header(name, appendVary(reply.getHeader(name) as string | undefined, value));
        else reply.header(name, value);
      }
      reply.send(answer.body);
    });
    return;
  }
  adapter.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const answer = run(steps, req, res);
    if (answer === undefined) next();
    else writeReply(res, answer);
  });
}

/** The request gets the CSP nonce here when the policy uses `NONCE` (`@Req() req` → `req.cspNonce`). */
export interface WithCspNonce {
  cspNonce?: string;
}

/**
 * The security-headers rule as an app-wide step (see {@link securityHeaders}).
 *
 * @example
 * installAppWide(adapter, [securityHeadersStep({ preset: 'web' })]);
 */
export function securityHeadersStep(source: SecurityHeadersOptions | SecurityHeaders = {}): AppWideStep {
  const policy = ruleFor(source, 'headers', createSecurityHeaders);
  return function bulwarkSecurityHeaders(req, res) {
    const verdict = policy.check(fromNodeRequest(req));
    // Without nonces a frozen list: checked by node's validators once, then written straight into the
    // response's header table (a controller's later header of the same name still replaces it).
    writeHeaders(res, verdict.headers);
    // X-Powered-By on the express platform (express writes it first), and the headers set false.
    const remove = verdict.value.remove;
    for (let i = 0; i < remove.length; i++) res.removeHeader(remove[i]!);
    const nonce = verdict.value.nonce;
    if (nonce !== undefined) (req as IncomingMessage & WithCspNonce).cspNonce = nonce;
    return undefined;
  };
}

/**
 * The CORS rule as an app-wide step (see {@link cors}).
 *
 * @example
 * installAppWide(adapter, [corsStep({ origins: ['https://app.example.com'] })]);
 */
export function corsStep(source: CorsOptions | CorsPolicy): AppWideStep {
  const policy = ruleFor(source, 'cors', createCorsPolicy);
  return function bulwarkCors(req, res) {
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const verdict = policy.check(fromNodeRequest(req, { url }));
    if (!verdict.ok) return verdict.reply;
    writeHeaders(res, verdict.headers);
    return undefined;
  };
}

/**
 * The app-wide step that answers, before Nest's body parsers run, what core's `refuseDeliveryBeforeBody`
 * refuses a webhook delivery for from its headers alone (a content coding, where the express platform's
 * parser would inflate or fail with its own 400; a declared length over the limit or of zero; a body of a
 * media type the platform cannot parse, `parsable`: the fastify platform would answer its own 415).
 *
 * @example
 * installAppWide(adapter, [webhookDeliveryStep(verifiers)]);
 */
export function webhookDeliveryStep(
  verifiers: ReadonlyMap<string, WebhookVerifier>,
  parsable: (mediaType: string) => boolean = () => true,
): AppWideStep {
  const list = [...verifiers.values()];
  const signatureHeaders = list.map((v) => v.signatureHeader);
  const options = { parsable };
  return function bulwarkWebhookDelivery(req) {
    // Only a request carrying one of the signature headers is a delivery (core reads the same node field):
    // every other request, most of an app's, goes on without a RequestLike.
    for (let i = 0; i < signatureHeaders.length; i++) {
      if (req.headers[signatureHeaders[i]!] !== undefined)
        return refuseDeliveryBeforeBody(fromNodeRequest(req), list, options)?.reply;
    }
    return undefined;
  };
}
