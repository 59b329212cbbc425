import type { ScenarioGroup } from './scenario.js';
import type { JwtVerifier, JwtVerifierOptions, OidcLogin, RateLimiterOptions } from '@bulwark/core';
import type { WebhookVerifierOptions } from '@bulwark/core';
import type { MtlsVerifierOptions } from '@bulwark/core';
import type { TlsOptions } from 'node:tls';
import type { SecureContextTarget } from '@bulwark/core/node';
import type { CorsOptions, SecurityHeadersOptions } from '@bulwark/core';

/**
 * The app every adapter builds for the conformance suite, from the same policies. Routes (each adapter's
 * harness must provide exactly these):
 * - `GET /health` → 200 `{"ok":true}`, no rule.
 * - `GET /me` (when `jwt` is set) → `requireJwt(spec.jwt)`, 200 `{"claims": <verified claims>}`.
 * - `GET /orders` and `GET /admin` (when `jwt` is set) → `requireJwt(spec.jwt, { scopes: ['orders:read'] })`
 *   and `requireJwt(spec.jwt, { scopes: ['admin'] })`, each 200 `{"claims": <verified claims>}`
 *   (NestJS: `@RequireJwt({ scopes })`; fetch: `protect(h, { jwt: { verifier: spec.jwt, scopes } })`).
 * Each area documents its routes next to its key below.
 */
export interface AppSpec {
  /** Policy of `GET /me`: options, or a verifier (the scenarios revoke tokens through it). */
  jwt?: JwtVerifierOptions | JwtVerifier;
  /**
   * Rate limiting (scenarios/ratelimit.ts), each route answering 200 `{"ok":true}`:
   * `GET /rl/direct` → `rateLimit(direct)`; `GET /rl/proxied` → `rateLimit(proxied)`;
   * `GET /rl/token` → `requireJwt(spec.jwt)` then `rateLimit(token)` (per-token buckets need the subject).
   * NestJS: limiters named `direct`/`proxied`/`token` with `@RateLimit(name)`.
   */
  rateLimit?: { direct: RateLimiterOptions; proxied: RateLimiterOptions; token: RateLimiterOptions };
  /**
   * OIDC login (scenarios/oauth.ts): `GET /oauth/login` → the adapter's login handler (`returnTo` from the
   * query); `GET /oauth/callback` → its callback handler, whose onLogin answers 200
   * `{"sub": claims.sub, "returnTo": result.returnTo}`; `POST /oauth/logout` → its logout handler with
   * `postLogoutRedirectUri` (303 to the provider's end-session endpoint).
   */
  oauth?: { login: OidcLogin; postLogoutRedirectUri: string };
  /**
   * Signed webhooks (scenarios/webhooks.ts): `POST /hooks/standard`, `/hooks/stripe`, `/hooks/github`, each
   * `verifyWebhook(spec.webhooks.<name>)` behind the app's global JSON body parser, answering 200
   * `{"handled":true,"id":<delivery.id>}`, and throwing when the JSON payload has `"fail": true`.
   * NestJS: `webhooks` module option with `@WebhookSigned(name)`.
   */
  webhooks?: {
    standard: WebhookVerifierOptions;
    stripe: WebhookVerifierOptions;
    github: WebhookVerifierOptions;
  };
  /**
   * mTLS (scenarios/mtls.ts). When set, the harness serves HTTPS with `mtls.tls` (from `mtlsServerOptions`)
   * instead of HTTP, with `GET /mtls/billing` → `requireMtls(mtls.billing)` and `GET /mtls/proxied` →
   * `requireMtls(mtls.proxied)`, each answering 200 `{"peer": <SPIFFE ID>, "via": "tls"|"proxy",
   * "xfcc": <x-forwarded-client-cert as the handler sees it, or null>}`. NestJS: `mtls: mtls.billing` as the
   * module default with `@RequireMtls()`, and `@RequireMtls(mtls.proxied)`.
   * With `jwt` too: `GET /mtls/bound` → `requireJwt(spec.jwt, { certificateBound: { required: true } })`
   * (fetch: `jwt: { verifier, certificateBound }`; NestJS: `@RequireCertificateBoundToken`), 200 `{"sub": <sub>}`.
   */
  mtls?: {
    tls: TlsOptions;
    billing: MtlsVerifierOptions;
    proxied: MtlsVerifierOptions;
    /** Called with the listening TLS server (rotation scenario: `watchCertificateFiles(server, …)`). */
    onServer?: (server: SecureContextTarget) => void;
  };
  /**
   * DPoP (scenarios/dpop.ts): a verifier with the `dpop` option. Routes, each answering 200
   * `{"sub": <claims.sub>, "jkt": <the checked proof's jkt, or null>}`:
   * `GET` and `POST /dpop/required` → `requireJwt(spec.dpop, { dpop: 'required' })`;
   * `GET /dpop/allowed` → `{ dpop: 'allowed' }`; `GET /dpop/off` → `{ dpop: 'off' }`;
   * `GET /dpop/stacked` → two levels that both hold: `{ dpop: 'required' }` outside (a router-level
   * middleware, an outer `protect`, a controller's `@RequireJwt`) and `{ dpop: 'allowed', scopes:
   * ['orders:read'] }` on the route (the handler's `@RequireJwt`). NestJS: `jwt: spec.dpop` as the module
   * verifier, `@RequireJwt({ dpop })` on handlers (`@RequireJwt({ dpop: 'required' })` on the stacked
   * route's controller). Fastify: `request.dpop`; fetch: `context.dpop`; Hono: `c.var.dpop`.
   */
  dpop?: JwtVerifier;
  /**
   * Security headers (scenarios/headers.ts): `securityHeaders(spec.headers)` app-wide, before every other
   * middleware and route, so 404s, denials and thrown errors carry the headers too. NestJS: `securityHeaders`
   * module option. With `headers` or `cors` set, the app also has `GET /boom` (the handler throws → 500),
   * `GET /nonce` → 200 `{"nonce": <the CSP nonce the adapter hands the handler, or null>}`, `GET /vary` → 200
   * `{"vary":true}` with the handler setting `Vary: Accept-Encoding` itself (express `res.set`, fastify
   * `reply.header`, NestJS `@Header`, fetch a Response with its own `Vary`), and `POST /echo` → 200
   * `{"echo": <body>}` parsed by the framework's own JSON parser with its own limit (fetch: `request.json()`,
   * 400 on malformed JSON, the node bridge's 413 rethrown).
   */
  headers?: SecurityHeadersOptions;
  /**
   * CORS (scenarios/cors.ts): `cors(spec.cors)` app-wide right after the security headers (NestJS: `cors`
   * module option), plus `GET /api/data` → 200 `{"data":"secret"}`, `PUT /api/data` → 200
   * `{"updated":true}` and `OPTIONS /api/data` → 200 `{"handler":"options"}` (a preflight must never reach it).
   */
  cors?: CorsOptions;
  /**
   * Browser suite (browser/suite.ts): `GET /pages/<name>` → 200 `text/html; charset=utf-8` with the body
   * `pages[name]`, behind the app-wide security headers.
   */
  pages?: Readonly<Record<string, string>>;
}

/** A server started by a harness on 127.0.0.1:0. */
export interface RunningApp {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  close(): Promise<void>;
}

/** How one adapter builds the conformance app. */
export interface AdapterHarness {
  /** Shown in test names, e.g. `express`, `nestjs (fastify)`. */
  readonly name: string;
  start(spec: AppSpec): Promise<RunningApp>;
  /**
   * Scenario groups that cannot run where this harness serves the app, each with the reason (e.g. mTLS on
   * a runtime that gives the handler no client certificate). They are not registered.
   */
  readonly excludes?: Readonly<Partial<Record<ScenarioGroup, string>>>;
  /**
   * Set (with the reason) where the server in front of the app drops a header sent with an empty value
   * before the app runs (workerd does), so an empty Authorization reaches the app as no Authorization.
   */
  readonly dropsEmptyHeaderValues?: string;
}
