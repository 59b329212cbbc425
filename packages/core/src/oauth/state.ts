import { decodeBase64Url, encodeBase64Url } from '../encoding/base64url.js';
import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError, type SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import type { ReplayStore } from '../stores/types.js';
import { allow, deny, type Verdict } from '../verdict.js';
import { OAUTH_ERRORS } from './errors.js';
import { concatBytes, randomBytes } from '../bytes/index.js';
import { createHmacKeyRing, type SecretInput } from './hmac-keys.js';

/** Options of {@link createStateCodec}. */
export interface StateCodecOptions {
  /** HMAC secret(s), 32+ bytes each. The first signs, all verify: prepend a new one to rotate. */
  secret: SecretInput;
  /** A state older than this is refused. Default 10 minutes, at most 1 hour. */
  maxAgeMs?: number;
  /**
   * Makes {@link StateCodec.consume} accept each state once: a second use is refused as a replay (fails
   * closed on store errors). `verify` never writes to it.
   */
  replayStore?: ReplayStore;
  /** Receives `oauth.state_rejected` events with the precise reason. */
  onEvent?: OnEvent;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/** What a verified state tells you. */
export interface VerifiedState {
  /** When the state was issued (epoch ms). */
  readonly issuedAt: number;
}

/** Issues and verifies OAuth `state` values bound to a session. */
export interface StateCodec {
  /** A fresh state for `sessionId` (any stable, non-empty identifier of the browser session). */
  issue(sessionId: string): Promise<string>;
  /** Check signature, session binding and age. Writes nothing: any client may call it as often as it likes. */
  verify(state: string | undefined, sessionId: string): Promise<Verdict<VerifiedState>>;
  /**
   * {@link StateCodec.verify}, then spend the state in the replay store (when one is configured). Call it
   * once the request has done what an anonymous client cannot (the authorization code was redeemed), so
   * a client that only loops over start and callback never takes a store entry.
   */
  consume(state: string | undefined, sessionId: string): Promise<Verdict<VerifiedState>>;
}

const FORMAT = /^1\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const encoder = new TextEncoder();
const CLOCK_SKEW_MS = 60_000;

function macInput(issuedAt: string, nonce: string, sessionId: string): Uint8Array {
  // The session id comes last and every field before it has a fixed alphabet without '|', so no two
  // (issuedAt, nonce, sessionId) triples share an encoding.
  return concatBytes(encoder.encode(`1|${issuedAt}|${nonce}|`), encoder.encode(sessionId));
}

const STATE_KEYS = optionKeys<StateCodecOptions>()('secret', 'maxAgeMs', 'replayStore', 'onEvent', 'now');

/**
 * Create a codec for OAuth `state` values: `1.<issued-at>.<128-bit nonce>.<HMAC-SHA256>`, the MAC covering
 * the user's session id, so a state captured from one browser is useless in another (login CSRF).
 *
 * @example
 * const states = createStateCodec({ secret: process.env.STATE_SECRET!, replayStore: createMemoryReplayStore() });
 * const state = await states.issue(sessionId);
 * // …on the callback: check first, spend it once the code exchange has succeeded.
 * const v = await states.verify(url.searchParams.get('state') ?? undefined, sessionId);
 * // …exchange the code…
 * const once = await states.consume(url.searchParams.get('state') ?? undefined, sessionId);
 */
export function createStateCodec(options: StateCodecOptions): StateCodec {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('oauth.state', 'options are required', 'pass at least { secret }');
  }
  checkOptions('oauth.state', options, STATE_KEYS);
  const keys = createHmacKeyRing('oauth.state.secret', options.secret, 'bulwark/oauth-state/v1');
  // A login takes seconds: a long-lived state is an attack window.
  const maxAgeMs = numberOption('oauth.state.maxAgeMs', options.maxAgeMs, {
    min: 10_000,
    max: 3_600_000,
    fallback: 600_000,
  });
  const now = options.now ?? Date.now;
  const { replayStore, onEvent } = options;

  function reject(error: SecurityError, detail: string): Verdict<VerifiedState> {
    emit(onEvent, { type: 'oauth.state_rejected', code: error.code, detail });
    return deny(error);
  }

  async function check(
    state: string | undefined,
    sessionId: string,
  ): Promise<Verdict<VerifiedState> | { nonce: string; age: number; issuedAt: number }> {
    if (typeof state !== 'string' || state === '') return reject(OAUTH_ERRORS.stateInvalid, 'no state');
    const m = state.length <= 100 ? FORMAT.exec(state) : null;
    if (m === null) return reject(OAUTH_ERRORS.stateInvalid, 'state is malformed');
    if (typeof sessionId !== 'string' || sessionId === '') {
      return reject(OAUTH_ERRORS.stateInvalid, 'no session to bind the state to');
    }
    const [, issuedAtText, nonce, macText] = m as unknown as [string, string, string, string];
    const mac = decodeBase64Url(macText);
    if (mac === undefined || decodeBase64Url(nonce) === undefined) {
      return reject(OAUTH_ERRORS.stateInvalid, 'state is not canonical base64url');
    }
    if (!(await keys.verify(macInput(issuedAtText, nonce, sessionId), mac))) {
      return reject(
        OAUTH_ERRORS.stateInvalid,
        'state MAC does not match (tampered, foreign key, or another session)',
      );
    }
    const issuedAt = Number.parseInt(issuedAtText, 36);
    const age = now() - issuedAt;
    if (age < -CLOCK_SKEW_MS) return reject(OAUTH_ERRORS.stateInvalid, 'state issued in the future');
    if (age > maxAgeMs) return reject(OAUTH_ERRORS.stateExpired, `state is ${Math.round(age / 1000)} s old`);
    return { nonce, age, issuedAt };
  }

  return {
    async issue(sessionId) {
      if (typeof sessionId !== 'string' || sessionId === '')
        throw new TypeError('sessionId must be a non-empty string');
      const issuedAt = now().toString(36);
      const nonce = encodeBase64Url(randomBytes(16));
      const mac = await keys.sign(macInput(issuedAt, nonce, sessionId));
      return `1.${issuedAt}.${nonce}.${encodeBase64Url(mac)}`;
    },
    async verify(state, sessionId) {
      const checked = await check(state, sessionId);
      return 'ok' in checked ? checked : allow({ issuedAt: checked.issuedAt });
    },
    async consume(state, sessionId) {
      const checked = await check(state, sessionId);
      if ('ok' in checked) return checked;
      const { nonce, age, issuedAt } = checked;
      if (replayStore !== undefined) {
        let outcome: string;
        try {
          ({ outcome } = await replayStore.claim(
            `oauth-state:${nonce}`,
            Math.max(maxAgeMs - age, 0) + CLOCK_SKEW_MS,
          ));
        } catch (err) {
          return reject(
            OAUTH_ERRORS.storeUnavailable,
            `replay store failed: ${err instanceof Error ? err.message : 'unknown error'}`,
          );
        }
        if (outcome !== 'claimed') return reject(OAUTH_ERRORS.stateReplayed, 'state was already used');
      }
      return allow({ issuedAt });
    },
  };
}
