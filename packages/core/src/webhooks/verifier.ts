import { ConfigError, type SecurityError } from '../errors.js';
import { emit } from '../events.js';
import { type RequestLike, requestPath } from '../http/request.js';
import { EVENTS, Reporter } from '../observe/reporter.js';
import { observedCheck, timedOperation } from '../observe/telemetry.js';
import { createMemoryReplayStore } from '../stores/memory.js';
import type { ClaimResult, ReplayStore } from '../stores/types.js';
import { RULE, type Rule } from '../rule.js';
import { type Allowed, allow, type Answered, answer, type Denied, deny, type Verdict } from '../verdict.js';
import { type HmacKey, hmacBackend, type LazyEd25519Key, lazyEd25519Key } from './signature-backend.js';
import { signatureHeaderOf } from './before-body.js';
import { createDelivery, type WebhookDelivery } from './delivery.js';
import { timingSafeEqual } from '../bytes/index.js';
import { withPrefix } from './encoding.js';
import { WEBHOOK_ERRORS } from './errors.js';
import { EVENT_ID, EVENT_ID_RULE } from './event-id.js';
import { extractSignedParts, type SignedParts } from './extract.js';
import {
  resolveWebhookOptions,
  type ResolvedWebhookOptions,
  type WebhookVerifierOptions,
} from './options.js';

/** A configured webhook verifier. */
export interface WebhookVerifier extends Rule<'webhooks'> {
  /**
   * Verify the delivery (size, headers, timestamp window, signature) and claim its event id. Denials are
   * values; the only throw is a TypeError when `body` is not raw bytes (a programming error, not an attack).
   * `body` defaults to `req.rawBody`. A delivery whose event was already processed is answered here
   * (`Answered`: 200 `{"received":true,"duplicate":true}`) and never reaches the handler.
   */
  check(req: RequestLike, body?: Uint8Array | ArrayBuffer): Promise<Verdict<WebhookDelivery>>;
  /** Same checks without the idempotency claim, for callers that deduplicate themselves. */
  verifySignature(req: RequestLike, body?: Uint8Array | ArrayBuffer): Promise<Verdict<WebhookDelivery>>;
  /**
   * The denial for a body the adapter could not read as it was sent: over `maxBodyBytes` (413, refused
   * while reading) or content-coded (415). Reported like every other refusal.
   */
  refuseBody(req: RequestLike, problem: 'too_large' | 'encoded'): Denied;
  /** Largest body accepted, in bytes: adapters stop reading beyond it. */
  readonly maxBodyBytes: number;
  /** The scheme in use. */
  readonly scheme: ResolvedWebhookOptions['name'];
  /** The header every delivery of this scheme carries (`webhook-signature`, `stripe-signature`…). */
  readonly signatureHeader: string;
}

// Registered: a verifier built by another installed copy of core still offers its settled check.
const CHECK_NOW: unique symbol = Symbol.for('bulwark.webhooks.checkNow');

/** A verifier's check that answers a refusal without a promise: see {@link webhookCheckNow}. */
export type WebhookCheckNow = (
  req: RequestLike,
  body?: Uint8Array | ArrayBuffer,
) => Verdict<WebhookDelivery> | Promise<Verdict<WebhookDelivery>>;

/**
 * `verifier.check` as a function that answers with the verdict itself when nothing had to be waited for:
 * a delivery refused before its event id is claimed (size, headers, timestamp, UTF-8, a signature that does
 * not match), on the node back end (HMAC with node:crypto). A delivery that passes still claims its event
 * id in the replay store (a promise: the store may be Redis), as does one whose signature needs WebCrypto or
 * Ed25519. Undefined for a verifier not built by `createWebhookVerifier`. It decides exactly as `check`
 * does (same verdicts, events and telemetry), but a body that is not bytes is a synchronous TypeError
 * rather than a rejected promise. For adapters whose framework takes a synchronous answer: a forged
 * delivery then costs no promise and no microtask hop.
 *
 * @example
 * const now = webhookCheckNow(verifier);
 * const verdict = now !== undefined ? now(req, body) : verifier.check(req, body);
 * if (verdict instanceof Promise) verdict.then(carryOut); else carryOut(verdict);
 */
export function webhookCheckNow(verifier: WebhookVerifier): WebhookCheckNow | undefined {
  const now = (verifier as { [CHECK_NOW]?: unknown })[CHECK_NOW];
  return typeof now === 'function' ? (now as WebhookCheckNow) : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** The text of a body checked as UTF-8 (a leading BOM kept, as the check's decoder always did). */
const strict = (body: Uint8Array): string => utf8.decode(body);

// A processed event is acknowledged so the sender stops retrying; the handler does not run again.
const DUPLICATE: Answered = Object.freeze(
  answer(
    Object.freeze({
      status: 200,
      headers: Object.freeze([Object.freeze(['content-type', 'application/json; charset=utf-8'] as const)]),
      body: '{"received":true,"duplicate":true}',
    }),
  ),
);

/** Throw the TypeError that names the raw-body pitfall. */
// Verifiers that share a replay store and a keyPrefix share event ids. Two senders there would answer each
// other's events as duplicates (a delivery acknowledged, its handler never run), so that is refused at
// startup; a verifier sharing a key with an earlier one is the same sender (a restart, a rotation).
const prefixesByStore = new WeakMap<ReplayStore, Map<string, Uint8Array[]>>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function claimKeyPrefix(store: ReplayStore, prefix: string, keys: readonly Uint8Array[]): void {
  let prefixes = prefixesByStore.get(store);
  if (prefixes === undefined) {
    prefixes = new Map();
    prefixesByStore.set(store, prefixes);
  }
  const known = prefixes.get(prefix);
  if (known === undefined) {
    prefixes.set(prefix, [...keys]);
    return;
  }
  if (!keys.some((k) => known.some((j) => sameBytes(k, j)))) {
    throw new ConfigError(
      'webhooks.keyPrefix',
      `'${prefix}' is already used on this replayStore by a verifier with other secrets: the two senders' event ids would collide`,
      "give each sender its own keyPrefix, e.g. 'webhook:billing:'",
    );
  }
  for (const k of keys) if (!known.some((j) => sameBytes(k, j))) known.push(k);
}

function toBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  const what =
    body === undefined
      ? 'no body'
      : body === null
        ? 'null'
        : typeof body === 'string'
          ? 'a string'
          : `a ${typeof body}`;
  throw new TypeError(
    `webhook verification needs the raw body bytes (Uint8Array/Buffer) but got ${what}. ` +
      'A parsed or re-serialised body never matches the signature: capture the raw bytes on the webhook ' +
      'route (see docs/webhooks.md) before any JSON body parser runs.',
  );
}

/**
 * Create a webhook verifier for Standard Webhooks, Stripe, GitHub or a generic HMAC scheme. Options are
 * validated here, once; keys are imported into WebCrypto lazily, once, on first use.
 *
 * @example
 * const webhooks = createWebhookVerifier({ scheme: 'standard', secrets: [process.env.WEBHOOK_SECRET!] });
 * const verdict = await webhooks.check(req, rawBody);
 * if (!verdict.ok) return send(verdict.reply); // a denial, or the answer to a duplicate
 * await verdict.value.run(async (delivery) => handle(delivery.json()));
 */
export function createWebhookVerifier(options: WebhookVerifierOptions): WebhookVerifier {
  const o = resolveWebhookOptions(options);
  const store: ReplayStore = options.replayStore ?? createMemoryReplayStore();
  if (options.replayStore !== undefined) claimKeyPrefix(store, o.keyPrefix, [...o.secrets, ...o.publicKeys]);
  const hmacKeys: readonly HmacKey[] = o.secrets.map((s) => hmacBackend.createKey(s, o.hash));
  const edKeys: readonly LazyEd25519Key[] = o.publicKeys.map((k) => lazyEd25519Key(k));
  const events = new Reporter(options.onEvent, 'webhooks');
  const onEvent = events.emit;
  let storeDown = false;
  const now = options.now ?? Date.now;

  function reject(error: SecurityError, detail: string, req: RequestLike): Denied {
    // Under a flood of forged deliveries nobody may be listening: then no event is built (no path parsed).
    if (!events.reaches('webhook.rejected')) return deny(error);
    emit(onEvent, {
      type: 'webhook.rejected',
      code: error.code,
      detail,
      method: req.method,
      path: requestPath(req.url),
      data: { scheme: o.name },
    });
    return deny(error);
  }

  /** Synchronous with node:crypto (no promise, no microtask per delivery); a promise with WebCrypto or Ed25519. */
  function matches(parts: SignedParts, body: Uint8Array): boolean | Promise<boolean> {
    let hmacWanted = false;
    let edWanted = false;
    for (const s of parts.signatures) {
      if (s.version === 'v1a') edWanted = true;
      else hmacWanted = true;
    }
    for (let k = 0; hmacWanted && k < hmacKeys.length; k++) {
      const mac = hmacKeys[k]!.sign(parts.contentPrefix, body);
      if (mac instanceof Promise) return matchesAsync(parts, body, k, mac, edWanted);
      if (matchesOne(parts, mac)) return true;
    }
    return edWanted && edKeys.length > 0 ? matchesEd25519(parts, body) : false;
  }

  /** Compare with every candidate (no early exit) so timing does not tell which one matched. */
  function matchesOne(parts: SignedParts, expected: Uint8Array): boolean {
    let found = false;
    for (const s of parts.signatures) {
      if (s.version !== 'v1a' && timingSafeEqual(expected, s.bytes)) found = true;
    }
    return found;
  }

  async function matchesAsync(
    parts: SignedParts,
    body: Uint8Array,
    from: number,
    pending: Promise<Uint8Array>,
    edWanted: boolean,
  ): Promise<boolean> {
    if (matchesOne(parts, await pending)) return true;
    for (let k = from + 1; k < hmacKeys.length; k++) {
      if (matchesOne(parts, await hmacKeys[k]!.sign(parts.contentPrefix, body))) return true;
    }
    return edWanted && edKeys.length > 0 ? matchesEd25519(parts, body) : false;
  }

  async function matchesEd25519(parts: SignedParts, body: Uint8Array): Promise<boolean> {
    const content = withPrefix(parts.contentPrefix, body);
    for (const s of parts.signatures) {
      if (s.version !== 'v1a') continue;
      for (const key of edKeys) if (await key.verify(s.bytes, content)) return true;
    }
    return false;
  }

  type Authenticated = Verdict<{
    parts: SignedParts;
    body: Uint8Array;
    text: string | undefined;
    id: string;
  }>;

  /** Synchronous up to the signature check, which is synchronous too with node:crypto: no promise then. */
  function authenticate(req: RequestLike, rawBody: unknown): Authenticated | Promise<Authenticated> {
    const body = toBytes(rawBody);
    if (body.length > o.maxBodyBytes) {
      return reject(
        WEBHOOK_ERRORS.bodyTooLarge,
        `body is ${body.length} bytes, limit ${o.maxBodyBytes}`,
        req,
      );
    }
    // A coded body has two byte strings (as sent, as decoded) and adapters differ on which one they hand
    // over (express inflates, fetch and fastify do not); no supported sender compresses, so refuse it.
    const encoding = req.header('content-encoding');
    if (encoding !== undefined && encoding !== '' && encoding.trim().toLowerCase() !== 'identity') {
      return reject(
        WEBHOOK_ERRORS.contentEncodingUnsupported,
        'the body has a Content-Encoding; webhook signatures are verified over unencoded bodies',
        req,
      );
    }
    const extracted = extractSignedParts(req, o);
    if (!extracted.ok) return reject(extracted.error, extracted.error.detail ?? '', req);
    const parts = extracted.value;
    if (parts.timestamp !== undefined) {
      const skew = Math.floor(now() / 1000) - parts.timestamp;
      if (skew > o.toleranceSeconds || skew < -o.toleranceSeconds) {
        return reject(
          WEBHOOK_ERRORS.timestampOutOfRange,
          `timestamp is ${Math.abs(skew)} s in the ${skew > 0 ? 'past' : 'future'}, tolerance ${o.toleranceSeconds} s`,
          req,
        );
      }
    }
    if (body.length === 0) {
      return reject(
        WEBHOOK_ERRORS.bodyEmpty,
        'body is empty: was it consumed by a body parser before verification?',
        req,
      );
    }
    // Checked, not decoded: a forged delivery is refused without ever building its text (the delivery decodes
    // it when the handler asks, and identify() when Stripe's id lives in it).
    if (o.requireUtf8 && !hmacBackend.isUtf8(body)) {
      return reject(WEBHOOK_ERRORS.bodyNotUtf8, 'body is not valid UTF-8', req);
    }
    const matched = matches(parts, body);
    return typeof matched === 'boolean'
      ? identify(req, matched, parts, body)
      : matched.then((m) => identify(req, m, parts, body));
  }

  function identify(req: RequestLike, matched: boolean, parts: SignedParts, body: Uint8Array): Authenticated {
    if (!matched) {
      return reject(
        WEBHOOK_ERRORS.signatureMismatch,
        `no presented signature matches any of ${hmacKeys.length + edKeys.length} keys`,
        req,
      );
    }
    let id = parts.id;
    let text: string | undefined;
    if (id === undefined) {
      // Valid UTF-8 when requireUtf8 (checked above); without it there is no text, as before (no id: refused).
      if (o.requireUtf8) text = strict(body);
      // Stripe: the event id lives in the (now verified) body.
      let eventId: unknown;
      try {
        eventId = (JSON.parse(text!) as { id?: unknown } | null)?.id;
      } catch {
        eventId = undefined;
      }
      if (typeof eventId !== 'string') {
        return reject(WEBHOOK_ERRORS.idInvalid, 'the signed body has no string "id" field', req);
      }
      if (!EVENT_ID.test(eventId)) {
        return reject(WEBHOOK_ERRORS.idInvalid, `the signed body's "id" is not ${EVENT_ID_RULE}`, req);
      }
      id = eventId;
    }
    return allow({ parts, body, text, id });
  }

  /**
   * What `check` decides: settled at once when the delivery is refused before its claim and the signature
   * check was synchronous; the claim (and a WebCrypto or Ed25519 signature) is waited for.
   */
  function decide(
    req: RequestLike,
    body: Uint8Array | ArrayBuffer | undefined,
  ): Verdict<WebhookDelivery> | Promise<Verdict<WebhookDelivery>> {
    const pending = authenticate(req, body);
    if (pending instanceof Promise) {
      return pending.then((checked) => (checked.ok ? claimEvent(req, checked) : checked));
    }
    return pending.ok ? claimEvent(req, pending) : pending;
  }

  type Authentic = Allowed<{ parts: SignedParts; body: Uint8Array; text: string | undefined; id: string }>;

  /** Claim the event id of an authentic delivery: the delivery to handle, a duplicate's answer, or a refusal. */
  async function claimEvent(req: RequestLike, checked: Authentic): Promise<Verdict<WebhookDelivery>> {
    const { parts, text, id } = checked.value;
    const key = o.keyPrefix + id;
    let claimed: ClaimResult;
    try {
      claimed = await timedOperation('webhooks.store.claim', store.claim(key, o.processingTtlMs));
    } catch (err) {
      const detail = `claim failed: ${err instanceof Error ? err.message : 'unknown error'}`;
      emit(onEvent, {
        type: 'webhook.store_failed',
        code: WEBHOOK_ERRORS.storeUnavailable.code,
        detail,
        method: req.method,
        path: requestPath(req.url),
      });
      if (!storeDown) {
        storeDown = true;
        emit(onEvent, {
          type: 'webhook.store_failing',
          code: WEBHOOK_ERRORS.storeUnavailable.code,
          detail: `the replay store is failing: deliveries are refused with 503 (the senders retry) until it answers again: ${detail}`,
        });
      }
      return deny(WEBHOOK_ERRORS.storeUnavailable);
    }
    if (storeDown) {
      storeDown = false;
      emit(onEvent, { type: 'webhook.store_recovered', detail: 'the replay store answers again' });
    }
    if (claimed.outcome === 'processing') {
      return reject(WEBHOOK_ERRORS.inProgress, `event ${id} is still being processed`, req);
    }
    if (claimed.outcome === 'done') {
      emit(onEvent, {
        type: 'webhook.replayed',
        detail: `event ${id} was already processed; answered without running the handler`,
        method: req.method,
        path: requestPath(req.url),
        data: { scheme: o.name, id },
      });
      return DUPLICATE;
    }
    const claim = {
      store,
      key,
      token: claimed.token,
      doneTtlMs: o.idempotencyTtlMs,
      processingTtlMs: o.processingTtlMs,
      onEvent,
    };
    const decode = o.requireUtf8 ? strict : undefined;
    return allow(createDelivery(o.name, id, parts.timestamp, checked.value.body, text, claim, decode));
  }

  const verifier: WebhookVerifier & { readonly [CHECK_NOW]: WebhookCheckNow } = {
    [RULE]: 'webhooks',
    [EVENTS]: events,
    maxBodyBytes: o.maxBodyBytes,
    scheme: o.name,
    signatureHeader: signatureHeaderOf(o),
    refuseBody: observedCheck('webhooks', events, (req: RequestLike, problem: 'too_large' | 'encoded') =>
      problem === 'too_large'
        ? reject(WEBHOOK_ERRORS.bodyTooLarge, `body is over the ${o.maxBodyBytes}-byte limit`, req)
        : reject(
            WEBHOOK_ERRORS.contentEncodingUnsupported,
            'the body has a Content-Encoding; webhook signatures are verified over unencoded bodies',
            req,
          ),
    ),
    async verifySignature(req, body = req.rawBody) {
      const pending = authenticate(req, body);
      const checked = pending instanceof Promise ? await pending : pending;
      if (!checked.ok) return checked;
      const { parts, text, id } = checked.value;
      const decode = o.requireUtf8 ? strict : undefined;
      return allow(createDelivery(o.name, id, parts.timestamp, checked.value.body, text, undefined, decode));
    },
    check: observedCheck(
      'webhooks',
      events,
      // As an async function: a promise always, a throw (a body that is not bytes) is a rejection.
      async (req: RequestLike, body: Uint8Array | ArrayBuffer | undefined = req.rawBody) => decide(req, body),
    ),
    // The same decision, a refusal settled without a promise (webhookCheckNow).
    [CHECK_NOW]: observedCheck(
      'webhooks',
      events,
      (req: RequestLike, body: Uint8Array | ArrayBuffer | undefined = req.rawBody) => decide(req, body),
    ),
  };
  return verifier;
}
