import type { SecurityError } from '../errors.js';
import {
  type FetchLike,
  isSafeKeyUrl,
  type KeyFetchOptions,
  KeyFetchError,
  requestJson as fetchProviderJson,
} from '../jwt/fetch-json.js';
import { OAUTH_ERRORS } from './errors.js';

export type { FetchLike } from '../jwt/fetch-json.js';

/**
 * How the client talks to the provider: the same fetch rules as the access-token JWKS (jwt/fetch-json),
 * for discovery, the token endpoint and the ID Token key set alike.
 */
export interface ProviderHttp extends KeyFetchOptions {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** A failed provider call: the denial and the operator detail. */
export type ProviderFailure = readonly [SecurityError, string];

/**
 * True for https URLs without userinfo or fragment, and for http on a loopback host (a provider on this
 * machine: development and tests; the traffic never leaves the host).
 *
 * @example
 * isSecureEndpoint('http://127.0.0.1:4000/token') // true
 */
export function isSecureEndpoint(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') return false;
  return isSafeKeyUrl(url);
}

/**
 * Turn a provider call that failed (network, timeout, redirect, size, content type, JSON) into the
 * denial, with the endpoint path and the reason as operator detail.
 *
 * @example
 * catch (err) { return providerFailure(url, err); }
 */
export function providerFailure(url: string, err: unknown): ProviderFailure {
  const reason = err instanceof KeyFetchError ? err.message : `unexpected error: ${String(err)}`;
  return [OAUTH_ERRORS.providerUnavailable, `${new URL(url).pathname}: ${reason}`];
}

/**
 * Call a provider endpoint and read its JSON object answer under the shared provider fetch rules.
 * Resolves `[status, body]`, or a failure for anything unusable.
 *
 * @example
 * const r = await requestJson(http, tokenEndpoint, { method: 'POST', headers, body });
 */
export async function requestJson(
  http: ProviderHttp,
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<readonly [number, Record<string, unknown>] | ProviderFailure> {
  try {
    const { status, body } = await fetchProviderJson(new URL(url), init, http);
    return [status, body];
  } catch (err) {
    return providerFailure(url, err);
  }
}

/** True when `r` is a failure rather than a `[status, body]` answer. */
export function isFailure(
  r: readonly [number, Record<string, unknown>] | ProviderFailure,
): r is ProviderFailure {
  return typeof r[0] !== 'number';
}
