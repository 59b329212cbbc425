import { encodeBase64Url } from '../encoding/base64url.js';
import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { EVENTS, type Reporting, Reporter, reporterOf } from '../observe/reporter.js';
import type { RequestLike } from '../http/request.js';
import type { ReplayStore } from '../stores/types.js';
import {
  allow,
  type Answered,
  answer,
  type Denied,
  deny,
  type HeaderList,
  type Verdict,
} from '../verdict.js';
import type { OidcClient, OidcLoginResult } from './client.js';
import { readCookies, serializeCookie } from './cookie.js';
import { OAUTH_ERRORS } from './errors.js';
import { randomBytes } from '../bytes/index.js';
import type { SecretInput } from './hmac-keys.js';
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

/** Options of {@link OidcLogin.start}. */
export interface OidcStartOptions {
  /** Local path to come back to after the login (else the request's `returnTo` query parameter, else `/`). */
  returnTo?: string;
  /** OIDC `prompt` (`login`, `consent`…). */
  prompt?: string;
}

/** Options of {@link OidcLogin.logout}. */
export interface OidcLogoutOptions {
  /** The ID Token of the session, sent as `id_token_hint`. */
  idTokenHint?: string | undefined;
  /** Where the provider sends the browser after logout (registered at the provider). */
  postLogoutRedirectUri?: string | undefined;
}

/**
 * The browser side of an OIDC login, as three steps whose answers are replies the adapter writes as they
 * are: start (a redirect to the provider with the transaction cookie), finish (the callback), logout (a
 * redirect to the provider's end-session endpoint).
 */
export interface OidcLogin extends Reporting {
  /**
   * Start a login: 302 to the provider with the signed transaction cookie (`Answered`), or a denial when
   * the provider cannot be reached. `returnTo` comes from the options or the request's query.
   */
  start(req?: RequestLike, options?: OidcStartOptions): Promise<Answered | Denied>;
  /**
   * Handle the callback request. Allowed: the verified login, with headers that clear the single-use
   * transaction cookie; the app then starts its session and answers. Denied: 400 problem+json that also
   * clears the cookie.
   */
  finish(req: RequestLike): Promise<Verdict<FinishedLogin>>;
  /** Answer a logout (call it after ending the app session): 303 to the provider's logout, or to `postLogoutRedirectUri`, or `/`. */
  logout(options?: OidcLogoutOptions): Promise<Answered>;
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
 * writeReply(res, (await login.start(fromNodeRequest(req))).reply);
 * // GET /callback
 * const f = await login.finish(fromNodeRequest(req));
 * if (!f.ok) return writeReply(res, f.reply);
 * setHeaders(res, f.headers); // clears the transaction cookie
 * startSession(f.value.claims);
 */
export function createOidcLogin(options: OidcLoginOptions): OidcLogin {
  if (typeof options?.client?.authorizationUrl !== 'function') {
    throw new ConfigError('oauth.login.client', 'is required', 'pass createOidcClient({...})');
  }
  checkOptions('oauth.login', options, LOGIN_KEYS);
  const maxAgeMs = numberOption('oauth.login.maxAgeMs', options.maxAgeMs, {
    min: 10_000,
    max: 3_600_000,
    fallback: 600_000,
  });
  const insecure = options.dangerouslyAllowInsecureCookie === true;
  const cookieName = options.cookieName ?? (insecure ? 'bulwark-login' : '__Host-bulwark-login');
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/.test(cookieName)) {
    throw new ConfigError(
      'oauth.login.cookieName',
      'is not a valid cookie name',
      "keep the default '__Host-bulwark-login'",
    );
  }
  if (insecure && cookieName.startsWith('__Host-')) {
    throw new ConfigError(
      'oauth.login.cookieName',
      '__Host- cookies must be Secure',
      'drop the prefix for insecure development cookies',
    );
  }
  const now = options.now ?? Date.now;
  // The transaction codec first, so a bad secret is reported under this factory's own option name.
  const transactions = createTransactionCodec('oauth.login.secret', options.secret);
  // The login's events, its state codec's and its client's reach the app whose request it handles (the
  // adapter's sink on the request), from that request on.
  const { client } = options;
  const events = new Reporter(options.onEvent, 'oauth');
  const clientEvents = reporterOf(client);
  if (clientEvents !== undefined) events.adopt(clientEvents);
  const onEvent = events.emit;
  const states = createStateCodec({
    secret: options.secret,
    maxAgeMs,
    now,
    ...(options.replayStore !== undefined ? { replayStore: options.replayStore } : {}),
    onEvent,
  });
  const cookie = { maxAgeSeconds: Math.ceil(maxAgeMs / 1000), secure: !insecure } as const;
  const clearCookie = serializeCookie(cookieName, '', { ...cookie, maxAgeSeconds: 0 });
  // The transaction is single-use whatever the outcome of the callback; no step's answer may be cached.
  const finished: HeaderList = Object.freeze([
    Object.freeze(['set-cookie', clearCookie] as const),
    Object.freeze(['cache-control', 'no-store'] as const),
  ]);
  const redirect = (location: string, status: 302 | 303, setCookie?: string): Answered =>
    answer({
      status,
      headers: [
        ['location', location],
        ['cache-control', 'no-store'],
        ...(setCookie === undefined ? [] : [['set-cookie', setCookie] as const]),
      ],
    });

  return {
    [EVENTS]: events,
    client,
    cookieName,
    clearCookie,
    async start(req, startOptions = {}) {
      if (req?.events !== undefined) events.attach(req.events);
      const returnTo =
        startOptions.returnTo ??
        (req === undefined
          ? undefined
          : (new URL(req.url, 'http://login.invalid').searchParams.get('returnTo') ?? undefined));
      const binding = encodeBase64Url(randomBytes(16));
      const pkce = await createPkcePair();
      const tx = {
        binding,
        state: await states.issue(binding),
        nonce: encodeBase64Url(randomBytes(16)),
        codeVerifier: pkce.verifier,
        returnTo: safeReturnTo(returnTo),
        issuedAt: now(),
      };
      const url = await client.authorizationUrl({
        state: tx.state,
        nonce: tx.nonce,
        codeChallenge: pkce.challenge,
        ...(startOptions.prompt !== undefined ? { prompt: startOptions.prompt } : {}),
      });
      if (!url.ok) return url;
      return redirect(url.value, 302, serializeCookie(cookieName, await transactions.seal(tx), cookie));
    },
    async logout(logoutOptions = {}) {
      const { idTokenHint, postLogoutRedirectUri } = logoutOptions;
      const target = await client.endSessionUrl({
        ...(idTokenHint !== undefined ? { idTokenHint } : {}),
        ...(postLogoutRedirectUri !== undefined ? { postLogoutRedirectUri } : {}),
      });
      return redirect(target ?? postLogoutRedirectUri ?? '/', 303);
    },
    async finish(req) {
      if (req.events !== undefined) events.attach(req.events);
      const verdict = await verifyCallback(req);
      if (verdict.ok) return allow(verdict.value, finished);
      return verdict.error === undefined ? verdict : deny(verdict.error, finished);
    },
  };

  async function verifyCallback(req: RequestLike): Promise<Verdict<FinishedLogin>> {
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
  }

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
