import {
  consoleLogger,
  createEventSink,
  type EventOptions,
  fromFetchRequest,
  withHeaders,
} from '@bulwark/core';
import { type JwtPolicy, jwtStage } from './jwt.js';
import { type RateLimitPolicy, rateLimitStage } from './ratelimit.js';
import { type WebhookPolicy, webhookStage } from './webhooks.js';
import { type MtlsPolicyEntry, mtlsStage } from './mtls.js';
import type { ConnectionInfo, ProtectContext, Stage, StageState } from './pipeline.js';
import type { JwtClaims } from '@bulwark/core';
import { connectionFor } from './connection.js';
import { rememberSink } from './app-sink.js';

/**
 * Which rules protect a handler. Each area adds its key; stages run in the order of {@link STAGE_ORDER}.
 * `onEvent`, `logger` and `logDenials` say where these rules report (default: degraded states to the
 * console, once per condition).
 */
export interface ProtectPolicy extends EventOptions {
  /** Require a valid bearer JWT; claims reach the handler as `context.claims`. */
  jwt?: JwtPolicy;
  /**
   * Rate limiting; 429 with Retry-After when exhausted. A limiter keyed by client IP alone runs before `jwt`
   * (a flood over the limit costs no signature check); one with per-token buckets runs after it, so they see
   * the subject, and requests an earlier rule refused (bad or missing token) are still counted in the
   * buckets that need no identity (IP), so a bad-token flood from one address ends in 429.
   */
  rateLimit?: RateLimitPolicy;
  /** Verify a signed webhook from the raw body (read here, size-limited); the delivery reaches the handler as `context.webhook`. */
  webhook?: WebhookPolicy;
  /** Require an authorized mTLS client (needs `info.peerCertificate`); the peer reaches the handler as `context.mtls`. */
  mtls?: MtlsPolicyEntry;
}

/** A fetch handler that also receives what the rules established (`C`: your claims type). */
export type ProtectedHandler<C extends JwtClaims = JwtClaims> = (
  request: Request,
  context: ProtectContext<C>,
) => Response | Promise<Response>;

/**
 * A plain fetch handler. The second argument is whatever the runtime passes: Bun's `server`, Deno's
 * `info`, a {@link ConnectionInfo} from `@bulwark/fetch/node`, or Workers' `env` (which carries no
 * connection facts; name the platform there).
 */
export type FetchHandler = (request: Request, runtime?: unknown) => Promise<Response>;

type StageKey = 'jwt' | 'rateLimit' | 'webhook' | 'mtls';
type StageFactories = { [K in StageKey]-?: (policy: NonNullable<ProtectPolicy[K]>) => Stage };

/** What fromFetchRequest takes next to the request (a connection's fields may be absent). */
type RequestExtra = NonNullable<Parameters<typeof fromFetchRequest>[1]>;

const FACTORIES: StageFactories = {
  jwt: jwtStage,
  rateLimit: rateLimitStage,
  webhook: webhookStage,
  mtls: mtlsStage,
};

/**
 * Cheap, cross-origin and network-level rules first, then authentication, then body-reading rules; a stage
 * that may run before authentication (an IP-only rate limit) is moved ahead of `jwt`.
 */
const STAGE_ORDER: readonly StageKey[] = ['mtls', 'jwt', 'rateLimit', 'webhook'];

/** The connection facts behind each context protect() hands a handler, for a protect() nested inside. */
const contexts = new WeakMap<object, ConnectionInfo>();

/**
 * Wrap a `(Request) => Response` handler with bulwark's rules. Every rule is built (and its options
 * validated) here, once; requests then run the stages in a fixed order and the handler only if all allow.
 * A protect()ed handler may be wrapped again (a router-wide policy around a route's own): both policies
 * hold, and the inner rules see the same client and the outer rules' context.
 *
 * @example
 * interface OrderClaims extends JwtClaims { readonly tenant: string }
 * export default {
 *   fetch: protect<OrderClaims>(async (request, { claims }) => Response.json({ tenant: claims?.tenant }), {
 *     jwt: { algorithms: ['ES256'], issuer, audience, jwksUri },
 *   }),
 * };
 */
export function protect<C extends JwtClaims = JwtClaims>(
  handler: ProtectedHandler<C>,
  policy: ProtectPolicy,
): FetchHandler & ProtectedHandler {
  const stages: Stage[] = [];
  let jwt = -1;
  for (const key of STAGE_ORDER) {
    const entry = policy[key];
    if (entry === undefined) continue;
    const stage = (FACTORIES[key] as (p: typeof entry) => Stage)(entry);
    // A rule that may run before authentication goes ahead of it (mTLS, network-level, stays first).
    if (jwt !== -1 && stage.beforeAuthentication === true) stages.splice(jwt++, 0, stage);
    else stages.push(stage);
    if (key === 'jwt') jwt = stages.length - 1;
  }
  const events = createEventSink(
    {
      ...(policy.onEvent !== undefined ? { onEvent: policy.onEvent } : {}),
      ...(policy.logger !== undefined ? { logger: policy.logger } : {}),
      ...(policy.logDenials !== undefined ? { logDenials: policy.logDenials } : {}),
    },
    consoleLogger,
    'fetch.protect.',
  );
  const finishers = stages.filter((s) => s.finish !== undefined);
  const failers = stages.filter((s) => s.fail !== undefined);

  const protectedHandler = async (request: Request, runtime?: unknown) => {
    // A cors() wrapper outside finds this app's sink by the request (when one is in use).
    rememberSink(request, events);
    // Called by an outer protect() with its context: keep the runtime's connection facts (else every
    // client would look alike to these rules) and what the outer rules established.
    const outer = typeof runtime === 'object' && runtime !== null ? contexts.get(runtime) : undefined;
    const connection = outer ?? connectionFor(request, runtime);
    const state: StageState = {
      request,
      // Fields named one by one, in a fixed shape: a spread of the connection clones it per request.
      req: fromFetchRequest(request, {
        remoteAddress: connection.remoteAddress,
        peerCertificate: connection.peerCertificate,
        events,
      } as RequestExtra),
      info: connection,
      context: outer === undefined ? {} : { ...(runtime as ProtectContext) },
      responseHeaders: [],
    };
    let response: Response | undefined;
    let i = 0;
    for (; i < stages.length; i++) {
      const stage = stages[i]!;
      if (stage.before === undefined) continue;
      // A stage that decided synchronously (the memory-store rate limit) is not awaited: no microtask hop.
      const decided = stage.before(state);
      response = decided instanceof Promise ? await decided : decided;
      if (response !== undefined) break;
    }
    // What the stages before the refusing one admitted (an early rate limit's RateLimit fields) goes on the
    // refusal too, as it would on the handler's response.
    if (response !== undefined && state.responseHeaders.length > 0) {
      response = withHeaders(response, state.responseHeaders);
    }
    // Later stages still see the refusal: a flood of bad tokens must count against the client's IP bucket.
    for (let j = i + 1; response !== undefined && j < stages.length; j++) {
      const stage = stages[j]!;
      if (stage.refused !== undefined) response = (await stage.refused(state, response)) ?? response;
    }
    if (response === undefined) {
      // Only a handler gets the context (and may hand it to a protect() inside): a refusal needs no entry.
      contexts.set(state.context, connection);
      try {
        response = await handler(request, state.context as ProtectContext<C>);
      } catch (err) {
        for (const stage of failers) stage.fail!(state, err);
        throw err;
      }
      response = withHeaders(response, state.responseHeaders);
    }
    for (let i = finishers.length - 1; i >= 0; i--) response = finishers[i]!.finish!(state, response);
    return response;
  };
  // cors(protect(...)) finds this app's sink by the handler, before any request.
  rememberSink(protectedHandler, events);
  return protectedHandler;
}
