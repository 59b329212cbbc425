import { encodeBase64Url } from '../encoding/base64url.js';
import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import type { ReplayStore } from '../stores/types.js';
import { allow, deny, type Verdict } from '../verdict.js';
import type { OidcClient, OidcLoginResult } from './client.js';
import { readCookies, serializeCookie } from './cookie.js';
import { OAUTH_ERRORS } from './errors.js';
import { randomBytes, type SecretInput } from './hmac-keys.js';
import { createPkcePair } from './pkce.js';
import { createStateCodec } from './state.js';
import { createTransactionCodec } from './transaction.js';

/** Options of {@link createOidcLogin}. */
export interface OidcLoginOptions {
  client: OidcClient;
  /** Signs the transaction cookie and the state (32+ bytes; a list to rotate). */
  secret: SecretInput;
  /** How long a login may take. Default 10 minutes. */
  maxAgeMs?: number;
  /**
   * Makes each state single-use across instances (recommended with several instances). The state is
   * spent after the code exchange and ID Token check succeed, so only completed logins take an entry.
   */
  replayStore?: ReplayStore;
  /** Default `__Host-bulwark-login` (the prefix pins the cookie to this host, Path=/, Secure). */
  cookieName?: string;
  /** Drop `Secure` (and the `__Host-` prefix) for plain-http local development only. */
  dangerouslyAllowInsecureCookie?: true;
  onEvent?: OnEvent;
  now?: () => number;
}

/** A completed browser login. */
export interface FinishedLogin extends OidcLoginResult {
  /** The local path the login started from. */
  readonly returnTo: string;
}

/** The browser side of an OIDC login: start (redirect + cookie) and finish (callback). */
export interface OidcLogin {
  /** Redirect the browser to `redirectTo` and set `setCookie`. */
  start(options?: {
    returnTo?: string;
    prompt?: string;
  }): Promise<Verdict<{ redirectTo: string; setCookie: string }>>;
  /** Handle the callback request. Always send {@link OidcLogin.clearCookie} on the response, success or not. */
  finish(req: RequestLike): Promise<Verdict<FinishedLogin>>;
  /** `Set-Cookie` value that deletes the transaction cookie. */
  readonly clearCookie: string;
  readonly cookieName: string;
  /** The protocol client (refresh, end-session URL). */
  readonly client: OidcClient;
}

/**
 * Keep a post-login return path only when it is a local absolute path: `//evil.com`, `/\evil.com` and
 * absolute URLs would be open redirects, so they become `/`.
 *
 * @example
 * safeReturnTo('/account?tab=1') // '/account?tab=1'
 * safeReturnTo('//evil.example') // '/'
 */
export function safeReturnTo(value: string | undefined): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[\x21-\x7e]*$/.test(value) || value.length > 1024)
    return '/';
  return value;
}

const LOGIN_KEYS = optionKeys<OidcLoginOptions>()(
  'client',
  'secret',
  'maxAgeMs',
  'replayStore',
  'cookieName',
  'dangerouslyAllowInsecureCookie',
  'onEvent',
  'now',
);

/**
 * The browser half of an OIDC login for a BFF: the login transaction (state, nonce, PKCE verifier, return
 * path) lives in a signed, HttpOnly, Secure, SameSite=Lax cookie, not in server memory; the state is HMAC-signed
 * and bound to that cookie, so a state or a code from another browser is refused.
 *
 * @example
 * const login = createOidcLogin({ client: oidc, secret: process.env.LOGIN_SECRET! });
 * // GET /login
 * const s = await login.start({ returnTo: '/account' });
 * if (s.ok) res.setHeader('set-cookie', s.value.setCookie).redirect(s.value.redirectTo);
 * // GET /callback
 * const f = await login.finish(fromNodeRequest(req));
 * res.setHeader('set-cookie', login.clearCookie);
 */
export function createOidcLogin(options: OidcLoginOptions): OidcLogin {
  if (typeof options?.client?.authorizationUrl !== 'function') {
    throw new ConfigError('login.client', 'is required', 'pass createOidcClient({...})');
  }
  checkOptions('login', options, LOGIN_KEYS);
  const maxAgeMs = numberOption('login.maxAgeMs', options.maxAgeMs, {
    min: 10_000,
    max: 3_600_000,
    fallback: 600_000,
  });
  const insecure = options.dangerouslyAllowInsecureCookie === true;
  const cookieName = options.cookieName ?? (insecure ? 'bulwark-login' : '__Host-bulwark-login');
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/.test(cookieName)) {
    throw new ConfigError(
      'login.cookieName',
      'is not a valid cookie name',
      "keep the default '__Host-bulwark-login'",
    );
  }
  if (insecure && cookieName.startsWith('__Host-')) {
    throw new ConfigError(
      'login.cookieName',
      '__Host- cookies must be Secure',
      'drop the prefix for insecure development cookies',
    );
  }
  const now = options.now ?? Date.now;
  // The transaction codec first, so a bad secret is reported under this factory's own option name.
  const transactions = createTransactionCodec('login.secret', options.secret);
  const states = createStateCodec({
    secret: options.secret,
    maxAgeMs,
    now,
    ...(options.replayStore !== undefined ? { replayStore: options.replayStore } : {}),
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
  });
  const { client, onEvent } = options;
  const cookie = { maxAge: Math.ceil(maxAgeMs / 1000), secure: !insecure } as const;
  const clearCookie = serializeCookie(cookieName, '', { ...cookie, maxAge: 0 });

  return {
    client,
    cookieName,
    clearCookie,
    async start(startOptions = {}) {
      const binding = encodeBase64Url(randomBytes(16));
      const pkce = await createPkcePair();
      const tx = {
        binding,
        state: await states.issue(binding),
        nonce: encodeBase64Url(randomBytes(16)),
        codeVerifier: pkce.verifier,
        returnTo: safeReturnTo(startOptions.returnTo),
        issuedAt: now(),
      };
      const url = await client.authorizationUrl({
        state: tx.state,
        nonce: tx.nonce,
        codeChallenge: pkce.challenge,
        ...(startOptions.prompt !== undefined ? { prompt: startOptions.prompt } : {}),
      });
      if (!url.ok) return url;
      const setCookie = serializeCookie(cookieName, await transactions.seal(tx), cookie);
      return allow({ redirectTo: url.value, setCookie });
    },
    async finish(req) {
      const values = readCookies(req.header('cookie'), cookieName);
      const tx = values.length === 1 ? await transactions.open(values[0]) : undefined;
      if (tx === undefined) {
        const detail =
          values.length > 1
            ? 'several transaction cookies (cookie tossing?)'
            : 'transaction cookie missing or invalid';
        emit(onEvent, { type: 'oauth.login_rejected', code: OAUTH_ERRORS.transactionMissing.code, detail });
        return deny(OAUTH_ERRORS.transactionMissing);
      }
      const params = new URL(req.url, 'http://callback.invalid').searchParams;
      const stateParams = params.getAll('state');
      const checked = await statesVerify(stateParams, tx.binding);
      if (!checked.ok) return checked;
      const result = await client.handleCallback(params, tx);
      if (!result.ok) return result;
      // Spend the state only now: anyone can get a transaction cookie and a state from start(), but only
      // a real login at the provider gets a code redeemed, so a loop of start + forged callbacks takes no
      // replay-store entry (a shared, bounded resource) and cannot make real logins answer 503.
      const once = await states.consume(stateParams[0], tx.binding);
      if (!once.ok) return once;
      return allow({ ...result.value, returnTo: tx.returnTo });
    },
  };

  async function statesVerify(values: string[], binding: string): Promise<Verdict<unknown>> {
    if (values.length !== 1) {
      emit(onEvent, {
        type: 'oauth.state_rejected',
        code: OAUTH_ERRORS.stateInvalid.code,
        detail: 'not exactly one state parameter',
      });
      return deny(OAUTH_ERRORS.stateInvalid);
    }
    return states.verify(values[0], binding);
  }
}
