import { emit, type OnEvent } from '../events.js';
import type { ReplayStore } from '../stores/types.js';

/** The sender convention a delivery was verified under. */
export type WebhookSchemeName = 'standard' | 'stripe' | 'github' | 'hmac';

/**
 * A verified webhook delivery whose event id is claimed as "processing" (a delivery already processed is
 * answered by the verifier and never reaches the handler): the caller runs its handler, then settles the
 * claim with the response status (`settle(res.statusCode)`: done below 400, released otherwise so the
 * sender's retry is processed), or with `true`/`false`.
 */
export interface WebhookDelivery {
  readonly scheme: WebhookSchemeName;
  /** Event id used for idempotency: `webhook-id`, the Stripe event `id`, `X-GitHub-Delivery`, or the configured header. */
  readonly id: string;
  /** Signed timestamp in seconds, when the scheme has one. */
  readonly timestamp: number | undefined;
  /** The exact bytes that were verified. */
  readonly body: Uint8Array;
  /** The body as text (UTF-8, checked). */
  text(): string;
  /** The body parsed as JSON. Parse errors throw a SyntaxError (the sender signed something that is not JSON). */
  json<T = unknown>(): T;
  /**
   * Finish the claim by the outcome of the handler: a response status (below 400: done; 400 and above, or
   * 0 for a response that never completed: released), or `true` (done) / `false` (released). Safe to call
   * more than once (the first call counts); never throws.
   */
  settle(outcome: number | boolean): Promise<void>;
  /** Run `handler` once for this delivery and settle by its outcome (rethrowing its error). */
  run<T>(handler: (delivery: WebhookDelivery) => T | Promise<T>): Promise<T>;
}

/** What a delivery needs to settle its claim. */
export interface ClaimContext {
  readonly store: ReplayStore;
  readonly key: string;
  /** Fencing token of this delivery's claim: settling is a no-op once another delivery holds the event. */
  readonly token: string;
  readonly doneTtlMs: number;
  readonly processingTtlMs: number;
  readonly onEvent: OnEvent | undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const lenient = (body: Uint8Array): string => decoder.decode(body);

/**
 * Build a {@link WebhookDelivery}. `claim` is undefined for signature-only checks. `text` is the body's text when
 * it was already decoded, else `decode` makes it on the first `text()`/`json()` (default: lenient UTF-8).
 */
export function createDelivery(
  scheme: WebhookSchemeName,
  id: string,
  timestamp: number | undefined,
  body: Uint8Array,
  text: string | undefined,
  claim: ClaimContext | undefined,
  decode: (body: Uint8Array) => string = lenient,
): WebhookDelivery {
  let cachedText = text;
  let settled: Promise<void> | undefined;
  const delivery: WebhookDelivery = {
    scheme,
    id,
    timestamp,
    body,
    text() {
      cachedText ??= decode(body);
      return cachedText;
    },
    json<T>() {
      return JSON.parse(delivery.text()) as T;
    },
    settle(outcome) {
      if (claim === undefined) return Promise.resolve();
      settled ??= finish(
        claim,
        typeof outcome === 'number' ? outcome > 0 && outcome < 400 : outcome === true,
      );
      return settled;
    },
    async run(handler) {
      let result: Awaited<ReturnType<typeof handler>>;
      try {
        result = await handler(delivery);
      } catch (err) {
        await delivery.settle(false);
        throw err;
      }
      await delivery.settle(true);
      return result;
    },
  };
  return delivery;
}

async function finish(claim: ClaimContext, ok: boolean): Promise<void> {
  const step = ok ? 'complete' : 'release';
  let applied: boolean;
  try {
    applied = ok
      ? await claim.store.complete(claim.key, claim.token, claim.doneTtlMs)
      : await claim.store.release(claim.key, claim.token);
  } catch (err) {
    // The handler's outcome stands; the claim expires on its own after processingTtlMs.
    emit(claim.onEvent, {
      type: 'webhook.store_failed',
      detail: `${step} failed: ${err instanceof Error ? err.message : 'unknown error'}`,
    });
    return;
  }
  if (!applied) {
    // The handler outlived processingTtlMs and a retry claimed the event meanwhile: whatever that retry
    // recorded (done, or its own live claim) stands, so this late outcome is dropped rather than applied.
    emit(claim.onEvent, {
      type: 'webhook.claim_lost',
      detail: `${step} skipped: the claim on ${claim.key} lapsed (processingTtlMs ${claim.processingTtlMs}) and another delivery holds or finished it`,
    });
  }
}
