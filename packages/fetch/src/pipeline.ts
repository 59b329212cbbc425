import type {
  Allowed,
  ConnectionInfo,
  DpopProof,
  HeaderPair,
  JwtClaims,
  MtlsPeer,
  RequestLike,
  WebhookDelivery,
} from '@bulwark/core';

/** What the serving runtime knows about the connection (read from Bun's `server`, Deno's `info`, the node bridge). */
export type { ConnectionInfo } from '@bulwark/core';
/**
 * What a protected handler receives next to the request. `C` types your own claims (`protect<MyClaims>(…)`),
 * as jose's `jwtVerify<Payload>` does: the token was verified against the policy, the shape of your custom
 * claims is yours to assert.
 */
export interface ProtectContext<C extends JwtClaims = JwtClaims> {
  /** Verified JWT claims when the policy has `jwt`. */
  claims?: C;
  /** The checked DPoP proof when the token came with `Authorization: DPoP` (policy `jwt` with `dpop`). */
  dpop?: DpopProof;
  /** The verified delivery when the policy has `webhook` (the request body is consumed: use `webhook.json()`). */
  webhook?: WebhookDelivery;
  /** The authorized TLS client when the policy has `mtls`. */
  mtls?: MtlsPeer;
  /** Raw request body when a rule had to read it (webhooks). */
  rawBody?: Uint8Array;
}

/** Per-request state shared by the stages of one {@link protect} call. */
export interface StageState {
  readonly request: Request;
  readonly req: RequestLike;
  readonly info: ConnectionInfo;
  readonly context: ProtectContext;
  /** Headers every response of this request gets (allowed verdict headers, CORS…). */
  readonly responseHeaders: HeaderPair[];
}

/**
 * One rule of the fetch pipeline. `before` runs ahead of the handler: returning a Response ends the
 * request (a denial or a preflight answer). `finish` sees every response, the handler's and denials.
 */
export interface Stage {
  /**
   * Runs ahead of authentication (`jwt`): a rule whose answer cannot depend on who the request is (core's
   * `RateLimiter.beforeAuthentication`), so refusing with it costs no signature check.
   */
  readonly beforeAuthentication?: boolean;
  before?(state: StageState): Response | undefined | Promise<Response | undefined>;
  finish?(state: StageState, response: Response): Response;
  /** The handler threw (the error is rethrown after every `fail`): undo what `before` started (webhook claims). */
  fail?(state: StageState, error: unknown): void;
  /**
   * An earlier stage refused the request with `response` (a bad token…), so this stage's `before` never
   * ran. Rate limiting counts it here; a returned Response replaces the refusal (429 once the bucket is spent).
   */
  refused?(state: StageState, response: Response): Response | undefined | Promise<Response | undefined>;
}

/**
 * Carry out an allowed verdict in a stage: remove the request headers it names (`strip`: a forwarded client
 * certificate from a peer that is not a trusted proxy) and keep its headers for the response. A denied or
 * answered verdict ends the request with `toResponse(verdict.reply)` instead.
 *
 * @example
 * const verdict = verifier.check(state.req);
 * if (!verdict.ok) return toResponse(verdict.reply);
 * admit(state, verdict);
 */
export function admit(state: StageState, verdict: Allowed<unknown>): void {
  const names = verdict.strip;
  if (names !== undefined) {
    for (const name of names) {
      try {
        state.request.headers.delete(name);
      } catch {
        // Immutable headers: the rule already ignored the value; the handler must not trust it either.
      }
    }
  }
  if (verdict.headers.length > 0) state.responseHeaders.push(...verdict.headers);
}
