import type { SecurityError } from '../errors.js';
import { OAUTH_ERRORS } from './errors.js';

/** A `fetch`-compatible function (global fetch is undici on Node). */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** How the client talks to the provider. */
export interface ProviderHttp {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
}

/** A failed provider call: the denial and the operator detail. */
export type ProviderFailure = readonly [SecurityError, string];

const MAX_BODY = 256 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * True for https URLs, and for http on a loopback host (a provider on this machine: development and tests;
 * the traffic never leaves the host).
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
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

async function readCapped(response: Response): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY) return undefined;
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  return new TextDecoder().decode(all);
}

/**
 * Call a provider endpoint and parse its JSON object answer, with a timeout, no redirects and a body cap.
 * Resolves `[status, body]`, or a failure for network errors, timeouts and non-JSON answers.
 *
 * @example
 * const r = await requestJson(http, metadataUrl, { method: 'GET' });
 */
export async function requestJson(
  http: ProviderHttp,
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<readonly [number, Record<string, unknown>] | ProviderFailure> {
  let response: Response;
  try {
    response = await http.fetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(http.timeoutMs),
    });
  } catch (err) {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : 'network error';
    return [OAUTH_ERRORS.providerUnavailable, `${new URL(url).pathname}: ${reason}`];
  }
  let text: string | undefined;
  try {
    text = await readCapped(response);
  } catch {
    return [OAUTH_ERRORS.providerUnavailable, `${new URL(url).pathname}: body read failed or timed out`];
  }
  if (text === undefined)
    return [OAUTH_ERRORS.providerUnavailable, `${new URL(url).pathname}: body over ${MAX_BODY} bytes`];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [
      OAUTH_ERRORS.providerUnavailable,
      `${new URL(url).pathname}: answered ${response.status} without JSON`,
    ];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [OAUTH_ERRORS.providerUnavailable, `${new URL(url).pathname}: answer is not a JSON object`];
  }
  return [response.status, body as Record<string, unknown>];
}

/** True when `r` is a failure rather than a `[status, body]` answer. */
export function isFailure(
  r: readonly [number, Record<string, unknown>] | ProviderFailure,
): r is ProviderFailure {
  return typeof r[0] !== 'number';
}
