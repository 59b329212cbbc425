import type { Severity } from './findings.js';

/** A signed webhook delivery the user captured: sent as-is to check staleness and replay handling. */
export interface WebhookSample {
  /** Header pairs in file order (names lower case). */
  readonly headers: readonly (readonly [string, string])[];
  /** The exact body bytes that were signed. */
  readonly body: Uint8Array;
}

/**
 * Everything `audit()` needs; the CLI builds it from flags (see `bulwark audit --help`).
 *
 * @example
 * const report = await audit({ ...DEFAULT_OPTIONS, urls: ['https://api.example.com/orders'], token });
 */
export interface AuditOptions {
  /** The URLs to audit; their hosts (and `allowHosts`) are the only ones contacted. */
  readonly urls: readonly string[];
  /** A currently valid bearer token for a protected URL: enables the JWT checks. */
  readonly token?: string;
  /** Headers sent on every request (an API key, a session cookie). Their values are redacted. */
  readonly headers: readonly (readonly [string, string])[];
  /** Browser origins the API legitimately serves; CORS look-alikes are derived from them. */
  readonly origins: readonly string[];
  /** More hosts the audit may contact: a redirect target, the token issuer. */
  readonly allowHosts: readonly string[];
  /** The issuer's JWKS URL, when discovery from the token's `iss` is not possible. */
  readonly jwksUrl?: string;
  /**
   * A URL on this machine where the audit serves an attacker's JWKS and certificate for the `jku`/`x5u`
   * checks, reachable by the API (`http://127.0.0.1:0` picks a free port).
   */
  readonly keyServer?: string;
  readonly timeoutMs: number;
  readonly maxRequests: number;
  readonly maxBodyBytes: number;
  readonly delayMs: number;
  /** PEM of extra CA certificates to trust (a self-signed test server). */
  readonly ca?: string;
  /** Send up to this many requests to find the rate limit (off when undefined). */
  readonly probeRateLimit?: number;
  /** Path or URL the rate-limit probe targets (default: the first URL). */
  readonly rateLimitPath?: string;
  readonly rateLimitMethod: 'GET' | 'POST';
  /** Path or URL of a webhook receiver: enables the webhook checks (POST only there). */
  readonly webhook?: string;
  readonly webhookSample?: WebhookSample;
  /** Exit non-zero when a finding is at least this severe. */
  readonly failOn: Severity | 'none';
}

/** Defaults: 10 s per request, 300 requests in all, 1 MiB per body, fail on high. */
export const DEFAULT_OPTIONS: Omit<AuditOptions, 'urls'> = {
  headers: [],
  origins: [],
  allowHosts: [],
  timeoutMs: 10_000,
  maxRequests: 300,
  maxBodyBytes: 1 << 20,
  delayMs: 0,
  rateLimitMethod: 'GET',
  failOn: 'high',
};

/** Hard bounds: the audit is a probe, never a load test. */
export const LIMITS = {
  maxRequests: 2000,
  probeRateLimit: 1000,
  timeoutMs: 120_000,
  maxBodyBytes: 64 << 20,
  delayMs: 10_000,
} as const;
